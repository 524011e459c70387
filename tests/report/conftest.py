"""Fixtures of the ctscale-report tests: the programs run for real (ctscale-synth,
ctscale-mpi under mpiexec, ctscale-report), on small models made here."""
import os
import shutil
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("CTSCALE_BIN_DIR", os.path.join(REPO, "build", "bin"))
MPIEXEC = os.environ.get("CTSCALE_MPIEXEC", "mpiexec")
VALIDATOR = os.path.join(REPO, "hdf5_schemas", "ctscale_validate.py")
MPI_ENV = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
           "OMPI_MCA_rmaps_base_oversubscribe": "1", "OPENBLAS_NUM_THREADS": "1", "OMPI_MCA_pml": "ob1"}
# The module under test is the one the build installed beside the programs.
sys.path.insert(0, os.path.join(BIN, "..", "lib", "python3", "dist-packages"))

# Three small models of one family (d = 16, 32, 64) and a token stream: enough for every
# table and every fit, in seconds.
WIDTHS = (16, 32, 64)


def run(args, timeout=300, **kw):
    env = dict(os.environ, **MPI_ENV)
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=timeout, env=env, **kw)


def checked(args, **kw):
    result = run(args, **kw)
    assert result.returncode == 0, f"{args}: exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


def mpi(ranks, program, *args):
    return checked([MPIEXEC, "-n", ranks, os.path.join(BIN, program), *args])


def report(*args):
    return run([os.path.join(BIN, "ctscale-report"), *args])


@pytest.fixture(scope="session")
def analysed(tmp_path_factory):
    """results/ with three models' results (fitted and full spectra) and a token stream's."""
    root = tmp_path_factory.mktemp("analysed")
    results = root / "results"
    results.mkdir()
    for d in WIDTHS:
        ckpt = root / f"ckpt-d{d}.h5"
        checked([os.path.join(BIN, "ctscale-synth"), "--d-model", d, "--layers", 4, "--vocab-size", 300,
                 "-q", "-o", ckpt])
        mpi(2, "ctscale-mpi", "--input", ckpt, "--spectral", "full", "-q", "-o", results / f"d{d}.h5")
    tokens = root / "zipf.tokens.h5"
    checked([os.path.join(BIN, "ctscale-synth"), "--tokens", 60000, "--vocab-size", 800, "-q", "-o", tokens])
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


def copy(src, dst):
    shutil.copyfile(src, dst)
    return dst
