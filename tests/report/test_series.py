"""ctscale-report --series: models grouped by name into series, fitted only within their
series, and models of one shape in several series set side by side (series_contrast),
checked against a recomputation from the results files with h5py and NumPy."""

import h5py
import numpy as np
import pandas as pd
import pytest

from tests.common.programs import validate
from tests.report.helpers import copy, report
from tests.report.test_bad_inputs import assert_nothing_written, assert_one_line_error
from tests.report.test_recompute import close, report_table, results  # noqa: F401 (a fixture)


@pytest.fixture(scope="module")
def with_twin(analysed, tmp_path_factory):
    """The three models, plus d32's results again under the name of a 'trained' twin."""
    root = tmp_path_factory.mktemp("series")
    inputs = [copy(analysed / "results" / f"d{d}.h5", root / f"d{d}.h5") for d in (16, 32, 64)]
    twin = copy(analysed / "results" / "d32.h5", root / "twin.h5")
    with h5py.File(twin, "r+") as f:
        name = f.attrs["model_name"]
        name = name.decode() if isinstance(name, bytes) else name
        f.attrs["model_name"] = name + "-trained"
    out = root / "report"
    result = report(*inputs, twin, "-o", out, "--bootstrap", 200, "--series", "trained=*-trained", "-q")
    assert result.returncode == 0, result.stderr
    return out, name


def test_series_follow_the_rules(with_twin):
    out, name = with_twin
    models = report_table(out, "models").set_index("model")["series"]
    assert models[name + "-trained"] == "trained"
    assert (models.drop(name + "-trained") == "synthetic").all()
    fits = report_table(out, "scaling_fits")
    synthetic = fits[(fits["series"] == "synthetic") & (fits["quantity"] == "compression_total~total_params")]
    assert set(synthetic["n"]) == {3}            # the twin is not a fourth point of the synthetic series
    trained = fits[(fits["series"] == "trained") & (fits["quantity"] == "compression_total~total_params")]
    assert len(trained) and (trained["status"] != "ok").all()    # one model: no fit across models


def test_series_contrast_against_recomputation(with_twin, results):
    out, name = with_twin
    sc = report_table(out, "series_contrast")
    assert set(sc["model"]) == {name, name + "-trained"}      # only d = 32 is in two series
    assert set(sc["d_model"]) == {32}
    ok, mats = results[name]["ok"], results[name]["matrices"]
    for row in sc.itertuples():
        at = ok[ok["k_label"] == row.k_label]
        wide = at[~(4 * at["k"] > at["cols"])]
        r2 = 1 - wide["ss_res"].sum() / wide["ss_tot"].sum()
        null = 1 - wide["ss_res_null"].sum() / wide["ss_tot"].sum()
        assert close(row.r2_pooled_excl, r2, 1e-12) and close(row.r2_null_pooled_excl, null, 1e-12)
        assert close(row.r2_excess_excl, r2 - null, 1e-12)
        pr = wide["amplitude_pr"][np.isfinite(wide["amplitude_pr"])]
        assert close(row.amplitude_pr_mean, pr.mean(), 1e-12)
        frac = mats["pr_sv"] / np.minimum(mats["rows"], mats["cols"])
        assert close(row.pr_sv_over_cols_mean, frac.mean(), 1e-12)
        assert close(row.stable_rank_mean, mats["stable_rank"].mean(), 1e-12)
    # The twin is the same weights: every number equal to its original's.
    a = sc[sc["model"] == name].drop(columns=["model", "series"]).reset_index(drop=True)
    b = sc[sc["model"] == name + "-trained"].drop(columns=["model", "series"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
    assert "## 8. One shape, several series" in (out / "report.md").read_text()
    assert (out / "plots" / "series_contrast.png").stat().st_size > 1000
    check = validate(out / "report.h5")
    assert check.returncode == 0, check.stdout + check.stderr


def test_no_contrast_without_a_shared_shape(built_report):
    assert len(report_table(built_report, "series_contrast")) == 0
    assert "One shape, several series" not in (built_report / "report.md").read_text()
    assert not (built_report / "plots" / "series_contrast.png").exists()


@pytest.mark.parametrize("rule, fragment", [("trained", "NAME=GLOB"), ("=x*", "NAME=GLOB"),
                                            ("trained=nothing-*", "no model's name matches")])
def test_bad_series_rules(analysed, scratch, rule, fragment):
    inputs = [copy(analysed / "results" / f"d{d}.h5", scratch / f"d{d}.h5") for d in (16, 32)]
    out = str(scratch / "report")
    result = report(*inputs, "-o", out, "-q", "--series", rule)
    assert_one_line_error(result, 2, fragment)
    assert_nothing_written(out)
