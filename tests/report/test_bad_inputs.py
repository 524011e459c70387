"""Every bad input of ctscale-report: one line naming the file, exit 1 (2 for usage), no
traceback, and no report directory left behind — or an earlier report left as it was."""
import os

import h5py
import pytest

from tests.common.programs import built
from tests.report.helpers import copy, mpi, report


def assert_one_line_error(result, code, *fragments):
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == code, result.stderr
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("ctscale-report: error: ")
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert "Traceback" not in result.stderr and result.stdout == ""


def assert_nothing_written(out):
    parent = os.path.dirname(out)
    assert not os.path.exists(out)
    assert not [n for n in os.listdir(parent) if n.startswith(os.path.basename(out) + ".")]


@pytest.fixture
def good(analysed, scratch):
    """Copies of two valid results files, free to edit."""
    return [copy(analysed / "results" / f"d{d}.h5", scratch / f"d{d}.h5") for d in (16, 32)]


def run_bad(scratch, *inputs, code=1, fragments=()):
    out = str(scratch / "report")
    result = report(*inputs, "-o", out, "-q")
    assert_one_line_error(result, code, *fragments)
    assert_nothing_written(out)


def test_not_a_results_file(analysed, scratch, good):
    ckpt = analysed / "ckpt-d16.h5"
    run_bad(scratch, good[0], ckpt, fragments=(str(ckpt), "not a ctscale.results file"))


def test_other_schema_version(scratch, good):
    with h5py.File(good[1], "a") as f:
        f.attrs["schema_version"] = 2
    run_bad(scratch, *good, fragments=(str(good[1]), "schema version 2"))


def test_corrupt_file(scratch, good):
    data = good[1].read_bytes()
    good[1].write_bytes(data[: len(data) // 2])
    run_bad(scratch, *good, fragments=(str(good[1]),))


def test_not_hdf5_and_missing(scratch, good):
    text = scratch / "notes.h5"
    text.write_text("results: none\n")
    run_bad(scratch, good[0], text, fragments=(str(text), "not an HDF5 file"))
    run_bad(scratch, good[0], scratch / "absent.h5", fragments=("absent.h5", "no such file"))


def test_missing_table(scratch, good):
    with h5py.File(good[1], "a") as f:
        del f["summary/fits"]
    run_bad(scratch, *good, fragments=(str(good[1]), "/summary/fits"))


def test_two_results_of_one_model(analysed, scratch, good):
    twin = copy(good[0], scratch / "twin.h5")
    run_bad(scratch, *good, twin, fragments=("twin.h5", "custom-d16-l4-ffn64-v300", "also in"))


def test_different_k_lists(analysed, scratch, good):
    other = scratch / "k48.h5"
    mpi(1, "ctscale-mpi", "--input", analysed / "ckpt-d64.h5", "--k", "4,8", "--spectral", "none", "-q",
        "-o", other)
    run_bad(scratch, *good, other, fragments=(str(other), "K settings"))


def test_different_basis_width(analysed, scratch, good):
    other = scratch / "wide.h5"
    mpi(1, "ctscale-mpi", "--input", analysed / "ckpt-d64.h5", "--width", "1.25", "--spectral", "none", "-q",
        "-o", other)
    run_bad(scratch, *good, other, fragments=(str(other), "--width 1.25"))


def test_missing_attribute_and_unknown_matrix(scratch, good):
    with h5py.File(good[1], "a") as f:
        del f.attrs["model_d_model"]
    run_bad(scratch, *good, fragments=(str(good[1]), "model_d_model"))
    with h5py.File(good[0], "a") as f:
        fits = f["summary/fits"][()]
        fits["name"][0] = b"no.such.matrix"
        del f["summary/fits"]
        f["summary/fits"] = fits
    run_bad(scratch, good[0], fragments=(str(good[0]), "no.such.matrix"))


def test_empty_directory(scratch):
    empty = scratch / "empty"
    empty.mkdir()
    run_bad(scratch, empty, fragments=(str(empty), "no results files"))


def test_usage_errors(scratch, good):
    for args in ([good[0]], ["-o", scratch / "r"], [good[0], "-o", scratch / "r", "--bootstrap", "-1"],
                 [good[0], "-o", scratch / "r", "--seed", "-1"],
                 [good[0], "-o", scratch / "r", "--no-such-option"]):
        result = report(*args)
        assert_one_line_error(result, 2)
        assert not os.path.exists(scratch / "r")


def test_output_may_not_replace_inputs_or_other_directories(analysed, scratch, good):
    result = report(scratch, "-o", scratch, "-q")
    assert_one_line_error(result, 2, "would replace the input")
    other = scratch / "precious"
    other.mkdir()
    (other / "thesis.tex").write_text("keep me")
    result = report(*good, "-o", other, "-q")
    assert_one_line_error(result, 1, "not a ctscale report directory")
    assert (other / "thesis.tex").read_text() == "keep me"


def test_earlier_report_replaced_only_by_a_complete_one(scratch, good):
    out = scratch / "report"
    assert report(*good, "-o", out, "-q", "--bootstrap", "50").returncode == 0
    before = (out / "report.md").read_text()
    bad = scratch / "bad.h5"
    bad.write_text("x")
    assert report(*good, bad, "-o", out, "-q").returncode == 1
    assert (out / "report.md").read_text() == before
    assert report(good[0], "-o", out, "-q", "--bootstrap", "50").returncode == 0
    assert (out / "report.md").read_text() != before
    assert sorted(os.listdir(scratch)) == sorted(["bad.h5", "d16.h5", "d32.h5", "report"])


def test_help_and_version():
    exe = built("ctscale-report")
    assert "usage: ctscale-report" in report("--help").stdout
    result = report("--version")
    assert result.returncode == 0 and result.stdout.startswith("ctscale-report ")
    assert os.access(exe, os.X_OK)
