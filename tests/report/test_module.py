"""The importable module: results and reports as DataFrames with text decoded."""
import h5py
import numpy as np
import pytest

import ctscale


def test_load_results_decodes_text_and_keeps_attributes(analysed):
    r = ctscale.load_results(analysed / "results" / "d32.h5")
    assert r.model == "custom-d32-l4-ffn128-v300"
    assert isinstance(r.fits["name"].iloc[0], str)
    assert "lm_head.weight" in set(r.matrices["name"])
    assert r.attrs["total_params"] == int(r.compression["total_params"].iloc[0])
    assert list(r.attrs["k_values"]) == [4, 8, 16]
    assert set(r.fits["k_label"]) == {"4", "8", "16", "rule"}
    with h5py.File(analysed / "results" / "d32.h5") as f:
        raw = f["summary/fits"][()]
        np.testing.assert_array_equal(r.fits["r2_pooled"].to_numpy(), raw["r2_pooled"])
        np.testing.assert_array_equal(r.row_r2("lm_head.weight", "8"), f["matrices/lm_head.weight/r2_k8"][()])
    assert len(r.singular_values("lm_head.weight")) == 32
    assert not r.has_transition and r.has_model


def test_token_only_results(analysed):
    r = ctscale.load_results(analysed / "results" / "tokens.h5")
    assert r.has_transition and not r.has_model
    assert r.stream == "zipf"
    assert list(r.transition["vocab_size"]) == [50, 100, 200, 400]


def test_load_results_refuses_other_files(analysed, scratch):
    with pytest.raises(ctscale.CtscaleError, match="not a ctscale.results file"):
        ctscale.load_results(analysed / "ckpt-d16.h5")
    (scratch / "x.h5").write_text("not hdf5")
    with pytest.raises(ctscale.CtscaleError, match="not an HDF5 file"):
        ctscale.load_results(scratch / "x.h5")


def test_load_report(built_report):
    rep = ctscale.load_report(built_report / "report.h5")
    assert rep["attrs"]["schema"] == "ctscale.report"
    assert isinstance(rep["compression"]["model"].iloc[0], str)
    assert {"supported", "contradicted", "not testable from these inputs"} >= set(rep["verdicts"]["verdict"])
