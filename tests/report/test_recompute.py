"""Every report table equals an independent recomputation from the results files' own
tables (h5py, NumPy and SciPy here; nothing of the ctscale module), and report.h5, the CSV
files and the validator agree."""
import itertools
import math
import os

import h5py
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from tests.common.programs import validate
from tests.report.helpers import WIDTHS, report

RTOL = 1e-12


def table(path, name):
    with h5py.File(path) as f:
        data = f[name][()]
    out = pd.DataFrame(data)
    for c in out.columns:
        if out[c].dtype == object:
            out[c] = [v.decode() if isinstance(v, bytes) else v for v in out[c]]
    return out


def report_table(report_dir, name):
    return table(report_dir / "report.h5", f"tables/{name}")


@pytest.fixture(scope="module")
def results(analysed):
    out = {}
    for d in WIDTHS:
        path = analysed / "results" / f"d{d}.h5"
        with h5py.File(path) as f:
            model = f.attrs["model_name"]
            model = model.decode() if isinstance(model, bytes) else model
            attrs = dict(f.attrs)
            ln_attrs = dict(f["summary/layer_norms"].attrs)
        fits = table(path, "summary/fits").merge(table(path, "summary/matrices")[["name", "rows", "cols", "kind", "n_params"]], on="name")
        out[model] = {"attrs": attrs, "fits": fits, "ok": fits[fits["status"] == "ok"],
                      "matrices": table(path, "summary/matrices"), "compression": table(path, "summary/compression"),
                      "layer_norms": table(path, "summary/layer_norms"), "ln_attrs": ln_attrs}
    return out


def close(a, b, rtol=RTOL, atol=0.0):
    if isinstance(b, float) and math.isnan(b):
        return isinstance(a, float) and math.isnan(a)
    return abs(a - b) <= rtol * abs(b) + atol


def pooled(fits, res="ss_res"):
    return 1.0 - fits[res].sum() / fits["ss_tot"].sum()


def test_ss_columns_reproduce_the_files_pooled_r2(results):
    """The sums ctscale-mpi now writes are those behind its own pooled R² (all K settings)."""
    for model, r in results.items():
        for c in r["compression"].itertuples():
            at = r["ok"][r["ok"]["k_label"] == c.k_label]
            assert close(pooled(at), c.r2_pooled, 1e-12), (model, c.k_label)
            assert close(pooled(at, "ss_res_null"), c.r2_null_pooled, 1e-12)


def test_compression_table(built_report, results):
    t = report_table(built_report, "compression")
    assert len(t) == sum(len(r["compression"]) for r in results.values())
    for row in t.itertuples():
        r = results[row.model]
        c = r["compression"].set_index("k_label").loc[row.k_label]
        for col in ("amplitude_params", "total_params"):
            assert getattr(row, col) == c[col]
        for col in ("compression_total", "compression_fitted", "r2_pooled", "r2_null_pooled"):
            assert close(getattr(row, col), c[col]), col
        at = r["ok"][r["ok"]["k_label"] == row.k_label]
        wide = at[4 * at["k"] <= at["cols"]]
        assert row.n_near_exact == len(at) - len(wide)
        assert close(row.r2_pooled_excl, pooled(wide), 1e-12)
        assert close(row.r2_null_pooled_excl, pooled(wide, "ss_res_null"), 1e-12)
        # The note's row beside a model: only within a factor 2 in parameters (none here).
        assert math.isnan(row.paper_compression)


def test_width_table_and_note_rows(built_report, results):
    t = report_table(built_report, "width")
    d64 = t[(t["d_model"] == 64) & (t["k_label"] == "4")].iloc[0]
    assert d64["paper_r2"] == 0.219                    # the note's d = 64, K = 4 row
    assert d64["d_per_k"] == 16
    assert t[t["d_model"] == 16]["paper_r2"].isna().all()


def test_scaling_fits_equal_least_squares(built_report, results):
    fits = report_table(built_report, "scaling_fits")
    models = sorted(results, key=lambda m: results[m]["attrs"]["total_params"])
    for label in ("4", "8", "16", "rule"):
        x = [results[m]["attrs"]["total_params"] for m in models]
        y = [results[m]["compression"].set_index("k_label").loc[label, "compression_total"] for m in models]
        ref = stats.linregress(np.log(x), np.log(y))
        row = fits[(fits["quantity"] == "compression_total~total_params") & (fits["k_label"] == label)].iloc[0]
        assert close(row["exponent"], ref.slope, 1e-10) and close(row["stderr"], ref.stderr, 1e-8)
        assert row["n"] == 3 and math.isnan(row["ci_low"])           # too few models for an interval
        # The null's pooled R² and R²/null against d_model, over the models.
        d = [results[m]["attrs"]["model_d_model"] for m in models]
        for quantity, value in (("r2_null_pooled~d_model", lambda f: pooled(f, "ss_res_null")),
                                ("r2_over_null~d_model", lambda f: pooled(f) / pooled(f, "ss_res_null"))):
            y = [value(results[m]["ok"][results[m]["ok"]["k_label"] == label]) for m in models]
            ref = stats.linregress(np.log(d), np.log(y))
            row = fits[(fits["quantity"] == quantity) & (fits["k_label"] == label)].iloc[0]
            assert close(row["exponent"], ref.slope, 1e-9), quantity
            assert math.isnan(row["ci_low"])               # 3 models: too few for an interval
        # Pooled R² against cols/K over every fitted matrix of every model.
        allf = pd.concat([results[m]["ok"][results[m]["ok"]["k_label"] == label] for m in models])
        allf = allf[allf["r2_pooled"] > 0]
        ref = stats.linregress(np.log(allf["cols"] / allf["k"]), np.log(allf["r2_pooled"]))
        row = fits[(fits["quantity"] == "r2_pooled~cols_per_k") & (fits["k_label"] == label)].iloc[0]
        assert row["n"] == len(allf) and close(row["exponent"], ref.slope, 1e-10)


def test_transition_table_and_slopes(built_report, analysed):
    path = analysed / "results" / "tokens.h5"
    own = table(path, "transition/summary")
    with h5py.File(path) as f:
        slopes = dict(f["transition/summary"].attrs)
    t = report_table(built_report, "transition")
    assert list(t["vocab_size"]) == list(own["vocab_size"]) and set(t["stream"]) == {"zipf"}
    fits = report_table(built_report, "scaling_fits")
    for name in ("pr_counts", "pr_counts_sym", "pr_counts_skew", "pr_P", "pr_P_sym", "pr_P_skew"):
        for suffix in ("", "_null"):
            col = name + suffix
            np.testing.assert_array_equal(t[col].to_numpy(), own[col].to_numpy())
            ref = stats.linregress(np.log(own["vocab_size"]), np.log(own[col]))
            row = fits[fits["quantity"] == f"{col}~vocab_size"].iloc[0]
            assert close(row["exponent"], ref.slope, 1e-9, 1e-12)
            assert close(row["stderr"], ref.stderr, 1e-8, 1e-12)
            assert close(row["exponent"], slopes[f"slope_{col}"], 1e-9, 1e-12)   # ctscale-mpi's own slope


def exact_spearman_p(x, y):
    """Two-sided and one-sided (ρ < 0) p-values over every permutation of y."""
    rho = stats.spearmanr(x, y).correlation
    perms = np.array([stats.spearmanr(x, p).correlation for p in itertools.permutations(y)])
    return float(np.mean(np.abs(perms) >= abs(rho) - 1e-12)), float(np.mean(perms <= rho + 1e-12))


def test_layer_trends(built_report, results):
    t = report_table(built_report, "layer_trends").set_index("model")
    ln = report_table(built_report, "layer_norms")
    for model, r in results.items():
        own = r["layer_norms"].sort_values("layer")
        rho = stats.spearmanr(own["layer"], own["layer_norm"]).correlation
        assert close(t.loc[model, "spearman_rho"], rho, 1e-12)
        assert close(t.loc[model, "spearman_rho"], float(r["ln_attrs"]["spearman_rho"]), 1e-12)
        two_sided, decreasing = exact_spearman_p(own["layer"], own["layer_norm"])
        assert close(t.loc[model, "spearman_p"], two_sided, 1e-12)
        assert close(t.loc[model, "spearman_p_decreasing"], decreasing, 1e-12)
        mine = ln[ln["model"] == model].sort_values("layer")
        np.testing.assert_array_equal(mine["layer_norm"].to_numpy(), own["layer_norm"].to_numpy())
        np.testing.assert_allclose(mine["relative_depth"], own["layer"] / (len(own) - 1))


def test_amplitude_pr(built_report, results):
    t = report_table(built_report, "amplitude_pr")
    for row in t.itertuples():
        r = results[row.model]
        at = r["ok"][(r["ok"]["k_label"] == row.k_label) & np.isfinite(r["ok"]["amplitude_pr"])]
        own = r["attrs"]
        assert row.n_matrices == len(at)
        assert close(row.pr_mean, at["amplitude_pr"].mean(), 1e-12)
        assert close(row.pr_std, at["amplitude_pr"].std(ddof=1), 1e-12)
        ref = stats.pearsonr(at["n_params"], at["amplitude_pr"])
        assert close(row.pearson_r, ref[0], 1e-10) and close(row.pearson_p, ref[1], 1e-8)
        assert close(row.pr_null_mean, at["amplitude_pr_null"].mean(), 1e-12)
        paired = stats.ttest_rel(at["amplitude_pr"], at["amplitude_pr_null"])
        assert close(row.pr_minus_null_mean, (at["amplitude_pr"] - at["amplitude_pr_null"]).mean(), 1e-12)
        assert close(row.pr_minus_null_p, paired.pvalue, 1e-9)
        wide = at[4 * at["k"] <= at["cols"]]
        assert row.n_matrices_excl == len(wide)
        if len(wide):
            assert close(row.pr_mean_excl, wide["amplitude_pr"].mean(), 1e-12)
        assert row.r_ci_low <= row.pearson_r <= row.r_ci_high or not math.isfinite(row.r_ci_low)
        assert own["model_d_model"] > 0


def test_near_exact_and_kinds(built_report, results):
    ne = report_table(built_report, "near_exact")
    expected = {(m, n, k) for m, r in results.items()
                for n, k, kk, c in zip(r["ok"]["name"], r["ok"]["k_label"], r["ok"]["k"], r["ok"]["cols"]) if 4 * kk > c}
    assert set(zip(ne["model"], ne["name"], ne["k_label"])) == expected and expected
    sk = report_table(built_report, "spectra_by_kind")
    for row in sk.itertuples():
        m = results[row.model]["matrices"]
        at = m[m["kind"] == row.kind]
        assert row.n_matrices == len(at)
        assert close(row.stable_rank_mean, at["stable_rank"].mean(), 1e-12)
        assert close(row.alpha_mean, at["alpha"].mean(), 1e-12)        # full mode: α everywhere
    fk = report_table(built_report, "fits_by_kind")
    for row in fk.itertuples():
        f = results[row.model]["ok"]
        at = f[(f["k_label"] == row.k_label) & (f["kind"] == row.kind)]
        assert close(row.r2_pooled, pooled(at), 1e-12)


def test_csv_and_h5_agree_and_validate(built_report):
    with h5py.File(built_report / "report.h5") as f:
        names = list(f["tables"])
    assert set(names) >= {"compression", "scaling_fits", "width", "transition", "layer_norms", "layer_trends",
                          "amplitude_pr", "near_exact", "spectra_by_kind", "fits_by_kind", "models"}
    for name in names:
        h5 = report_table(built_report, name)
        csv = pd.read_csv(built_report / "tables" / f"{name}.csv", keep_default_na=False, na_values=["NaN", "nan", ""],
                          float_precision="round_trip")
        assert list(csv.columns) == list(h5.columns), name
        for col in h5.columns:
            if h5[col].dtype.kind in "if":
                np.testing.assert_allclose(csv[col].to_numpy(float), h5[col].to_numpy(float), rtol=1e-15,
                                           err_msg=f"{name}.{col}")
    result = validate(built_report / "report.h5")
    assert result.returncode == 0, result.stdout + result.stderr
    for plot in ("compression", "r2_width", "transition_pr", "layer_norms", "amplitude_pr"):
        for ext in ("png", "svg"):
            assert os.path.getsize(built_report / "plots" / f"{plot}.{ext}") > 1000


@pytest.mark.parametrize("inputs", [["tokens.h5"], ["d16.h5"], ["d16.h5", "d32.h5"]])
def test_partial_inputs_give_a_valid_report(analysed, scratch, inputs):
    """A report of token streams only, or of models only, has every table (some empty, with
    the same column types) and validates."""
    out = scratch / "partial"
    result = report(*[analysed / "results" / name for name in inputs], "-o", out, "-q", "--bootstrap", "50")
    assert result.returncode == 0, result.stderr
    check = validate(out / "report.h5")
    assert check.returncode == 0, check.stdout + check.stderr
    with h5py.File(out / "report.h5") as f:
        assert f["tables/compression"].dtype["total_params"] == np.int64
        assert f["tables/transition"].dtype["pr_counts"] == np.float64
