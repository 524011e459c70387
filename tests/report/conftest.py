"""Fixtures of the ctscale-report tests: the programs run for real (ctscale-synth,
ctscale-mpi under mpiexec, ctscale-report), on small models made here. The ctscale module
under test is the one the build made (build/lib/python3/dist-packages, on PYTHONPATH:
docs/testing.md)."""
import pytest

from tests.common.programs import built, checked
from tests.report.helpers import TIMEOUT, WIDTHS, mpi, report


@pytest.fixture(scope="session")
def analysed(tmp_path_factory):
    """results/ with three models' results (fitted and full spectra) and a token stream's."""
    root = tmp_path_factory.mktemp("analysed")
    results = root / "results"
    results.mkdir()
    for d in WIDTHS:
        ckpt = root / f"ckpt-d{d}.h5"
        checked([built("ctscale-synth"), "--d-model", d, "--layers", 4, "--vocab-size", 300, "-q", "-o", ckpt],
                timeout=TIMEOUT)
        mpi(2, "ctscale-mpi", "--input", ckpt, "--spectral", "full", "-q", "-o", results / f"d{d}.h5")
    tokens = root / "zipf.tokens.h5"
    checked([built("ctscale-synth"), "--tokens", 60000, "--vocab-size", 800, "-q", "-o", tokens], timeout=TIMEOUT)
    mpi(2, "ctscale-mpi", "--tokens", tokens, "--vocab", "50,100,200,400", "-q", "-o", results / "tokens.h5")
    return root


@pytest.fixture(scope="session")
def built_report(analysed):
    """The report over `analysed`, made once by the real program."""
    out = analysed / "report"
    result = report(analysed / "results", "-o", out, "--bootstrap", 500)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture
def scratch(tmp_path):
    return tmp_path
