"""A power law with a known exponent, planted in results files, comes back out of
ctscale-report with the true exponent inside its bootstrap interval."""
import h5py
import numpy as np
from scipy import stats

from tests.report.helpers import copy, mpi, report
from ctscale import load_report
from ctscale.stats import fit_power_law

TRUE_EXPONENT = 0.42


def plant(path, model, **attrs):
    with h5py.File(path, "a") as f:
        f.attrs["model_name"] = model
        for key, value in attrs.items():
            f.attrs[key] = value


def replace(f, name, table):
    del f[name]
    f[name] = table


def fits_of(report_dir, quantity):
    fits = load_report(str(report_dir / "report.h5"))["scaling_fits"]
    return fits[fits["quantity"] == quantity]


def test_model_level_exponent_recovered(analysed, scratch):
    """compression_total = c_K·total_params^0.42 with 10% log-normal noise per model (the
    same for every K setting, so that one realisation is checked), over 10 models."""
    rng = np.random.default_rng(7)
    sizes = np.round(np.geomspace(1e6, 1e10, 10))
    noise = np.exp(rng.normal(0, 0.1, len(sizes)))
    planted = {}
    for i, x in enumerate(sizes):
        path = copy(analysed / "results" / "d32.h5", scratch / f"m{i}.h5")
        plant(path, f"planted-{i}", total_params=np.int64(x))
        with h5py.File(path, "a") as f:
            comp = f["summary/compression"][()]
            comp["total_params"] = int(x)
            comp["compression_total"] = np.arange(1, len(comp) + 1) * x ** TRUE_EXPONENT * noise[i]
            replace(f, "summary/compression", comp)
            for label, y in zip(comp["k_label"], comp["compression_total"]):
                planted.setdefault(label.decode(), []).append((x, y))
    result = report(*[scratch / f"m{i}.h5" for i in range(len(sizes))], "-o", scratch / "report", "-q")
    assert result.returncode == 0, result.stderr
    rows = fits_of(scratch / "report", "compression_total~total_params")
    assert len(rows) == len(planted)
    for row in rows.itertuples():
        x, y = np.array(planted[row.k_label]).T
        ref = stats.linregress(np.log(x), np.log(y))
        assert row.n == len(sizes)
        assert abs(row.exponent - ref.slope) <= 1e-12 * abs(ref.slope)
        assert abs(row.stderr - ref.stderr) <= 1e-10 * ref.stderr
        assert row.ci_low <= TRUE_EXPONENT <= row.ci_high, row
        assert row.ci_low < row.exponent < row.ci_high
        assert row.status == "ok"


def test_interval_coverage():
    """The seeded percentile bootstrap covers a planted exponent about 95% of the time
    (percentile intervals of 10 points run a little narrow: 0.85–0.99 accepted)."""
    rng = np.random.default_rng(1)
    x = np.geomspace(1e6, 1e10, 10)
    hits = 0
    for i in range(200):
        fit = fit_power_law(x, 2 * x ** TRUE_EXPONENT * np.exp(rng.normal(0, 0.1, len(x))), n_boot=500, seed=i)
        hits += fit.ci_low <= TRUE_EXPONENT <= fit.ci_high
    assert 0.85 <= hits / 200 <= 0.99


def test_matrix_level_exponent_recovered(analysed, scratch):
    """amplitude_pr = 5·(rows·cols)^−0.15 with 5% noise per matrix (the same at every K),
    over three models' matrices, resampled within each model."""
    rng = np.random.default_rng(11)
    exponent = -0.15
    paths = []
    for d in (16, 32, 64):
        path = copy(analysed / "results" / f"d{d}.h5", scratch / f"d{d}.h5")
        with h5py.File(path, "a") as f:
            size = {m["name"]: m["n_params"] for m in f["summary/matrices"][()]}
            fits = f["summary/fits"][()]
            n = np.array([size[name] for name in fits["name"]], float)
            noise = {name: np.exp(rng.normal(0, 0.05)) for name in size}     # one per matrix, every K
            fits["amplitude_pr"] = 5.0 * n ** exponent * np.array([noise[name] for name in fits["name"]])
            fits["amplitude_pr"][fits["status"] != b"ok"] = np.nan
            replace(f, "summary/fits", fits)
        paths.append(path)
    result = report(*paths, "-o", scratch / "report", "-q")
    assert result.returncode == 0, result.stderr
    rows = fits_of(scratch / "report", "amplitude_pr~n_params")
    assert len(rows) == 4
    for row in rows.itertuples():
        assert row.ci_low <= exponent <= row.ci_high, row
        assert abs(row.exponent - exponent) < 0.05


def test_one_model_is_not_enough_for_a_fit(analysed, scratch):
    result = report(analysed / "results" / "d32.h5", "-o", scratch / "report", "-q")
    assert result.returncode == 0, result.stderr
    rows = fits_of(scratch / "report", "compression_total~total_params")
    assert len(rows) and all(s.startswith("not enough data") for s in rows["status"])
    assert rows["exponent"].isna().all()
    text = (scratch / "report" / "report.md").read_text()
    assert "not enough data" in text
    assert "not testable from these inputs" in text


def test_k8_absent_and_nan_amplitude_prs(analysed, scratch):
    """Inputs without a K = 8 setting, or with no finite amplitude PR, still give a report:
    the tables and plots say there is not enough data."""
    out = scratch / "k16"
    out.mkdir()
    for d in (16, 32):
        mpi(1, "ctscale-mpi", "--input", analysed / f"ckpt-d{d}.h5", "--k", "16", "--k-rule", "none",
            "--spectral", "none", "-q", "-o", out / f"d{d}.h5")
        with h5py.File(out / f"d{d}.h5", "a") as f:
            fits = f["summary/fits"][()]
            fits["amplitude_pr"] = np.nan
            replace(f, "summary/fits", fits)
    result = report(out, "-o", scratch / "report", "-q")
    assert result.returncode == 0, result.stderr
    text = (scratch / "report" / "report.md").read_text()
    assert "Not enough data in these inputs" in text
    assert (scratch / "report" / "plots" / "amplitude_pr.png").stat().st_size > 1000


def test_too_few_points_give_no_interval():
    x = np.array([1.0, 2.0, 4.0, 8.0])
    fit = fit_power_law(x, x ** 0.5, n_boot=100)
    assert fit.status == "ok" and abs(fit.exponent - 0.5) < 1e-12
    assert np.isnan(fit.ci_low) and fit.n_boot == 0
    fit = fit_power_law(np.append(x, 16.0), np.append(x, 16.0) ** 0.5 * [1, 1.01, 0.99, 1, 1.02], n_boot=100)
    assert fit.ci_low < 0.5 < fit.ci_high


def test_spearman_ignores_missing_values():
    from ctscale.stats import spearman
    sp = spearman([0, 1, 2, 3, 4], [np.nan, 4, 3, 2, 1])
    assert sp.rho == -1.0 and abs(sp.p_decreasing - 1 / 24) < 1e-12 and abs(sp.p - 2 / 24) < 1e-12
    assert np.isnan(spearman([0, 1, 2], [np.nan, 1, 0]).p)
