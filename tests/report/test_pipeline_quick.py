"""scripts/scale-points.sh --quick end to end: synthesis, analysis on 2 ranks, token
streams and ctscale-report — every table, both file kinds of every plot, a report.h5 the
validator accepts — and a rerun that redoes nothing."""
import os
import subprocess

import pytest

from tests.common.programs import BIN, REPO, validate

TABLES = ("models", "compression", "width", "transition", "layer_norms", "layer_trends", "amplitude_pr",
          "near_exact", "fits_by_kind", "spectra_by_kind", "series_contrast", "scaling_fits", "verdicts")
PLOTS = ("compression", "r2_width", "transition_pr", "layer_norms", "amplitude_pr")


def pipeline(out):
    return subprocess.run(["bash", os.path.join(REPO, "scripts", "scale-points.sh"), "--quick", "--outdir", str(out)],
                          capture_output=True, text=True, timeout=600, env=dict(os.environ, CTSCALE_BIN=BIN))


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    out = tmp_path_factory.mktemp("quick") / "points"
    result = pipeline(out)
    assert result.returncode == 0, result.stdout + result.stderr
    return out, result


def test_every_table_and_plot(quick):
    out, _ = quick
    report = out / "report"
    for name in TABLES:
        assert (report / "tables" / f"{name}.csv").stat().st_size > 0, name
    for plot in PLOTS:
        for ext in ("png", "svg"):
            assert (report / "plots" / f"{plot}.{ext}").stat().st_size > 1000, (plot, ext)
    text = (report / "report.md").read_text()
    for heading in ("## 1. Compression", "## 2. Fit quality", "## 3. Transition", "## 4. Layer norm",
                    "## 5. Amplitude PR", "## Verdicts"):
        assert heading in text
    assert "Traceback" not in text


def test_report_and_results_validate(quick):
    out, _ = quick
    files = [str(out / "report" / "report.h5")] + sorted(str(p) for p in (out / "results").glob("*.h5"))
    assert len(files) >= 5
    result = validate(*files)
    assert result.returncode == 0, result.stdout + result.stderr


def test_rerun_resumes(quick):
    out, _ = quick
    before = {p: p.stat().st_mtime_ns for p in (out / "results").glob("*.h5")}
    result = pipeline(out)
    assert result.returncode == 0, result.stderr
    assert {p: p.stat().st_mtime_ns for p in (out / "results").glob("*.h5")} == before
