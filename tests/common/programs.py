"""The programs under test, run for real: where the build put them, mpiexec, and the Open MPI
environment they run in. CTest sets CTSCALE_BIN_DIR and CTSCALE_MPIEXEC
(cmake/CtscaleAddTest.cmake); by hand they default to build/bin and the mpiexec on PATH."""

import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("CTSCALE_BIN_DIR", os.path.join(REPO, "build", "bin"))
MPIEXEC = os.environ.get("CTSCALE_MPIEXEC", "mpiexec")
PYTHON = "/usr/bin/python3"
VALIDATOR = os.path.join(REPO, "hdf5_schemas", "ctscale_validate.py")
FIT_REFERENCE = os.path.join(REPO, "tests", "reference", "fit_reference.py")
# Root-safe and oversubscribed, one node's shared-memory transport, one BLAS thread per rank:
# what CTest sets for every test (scripts/mpi-env.sh), so a test run by hand runs the same.
MPI_ENV = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
           "OMPI_MCA_rmaps_base_oversubscribe": "1", "OPENBLAS_NUM_THREADS": "1", "OMPI_MCA_pml": "ob1",
           "OMPI_MCA_orte_allowed_exit_without_sync": "1"}


def mpi_env(**extra):
    """This process's environment with MPI_ENV (and `extra`) set, for a child process."""
    return dict(os.environ, **MPI_ENV, **extra)


def built(program):
    """The path of one of the build's programs (ctscale-mpi, ctscale-synth, ...); an absolute
    path (a test program such as spectral_dump) is kept as it is."""
    return os.path.join(BIN, program)


def run(args, timeout=120, **kw):
    """Runs a command (arguments of any type, as str) in mpi_env(); returns the CompletedProcess
    with text stdout and stderr, whatever the exit code."""
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=timeout, env=mpi_env(),
                          **kw)


def checked(args, timeout=120, **kw):
    """run(), asserting exit code 0 (the message holds the command and its output)."""
    result = run(args, timeout=timeout, **kw)
    assert result.returncode == 0, f"{args}: exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


def mpi_command(ranks, program, *args):
    """The command line running `program` (as built() finds it) on `ranks` ranks."""
    return [MPIEXEC, "-n", str(ranks), built(program), *args]


def mpi(ranks, program, *args, timeout=120):
    """run() of mpi_command()."""
    return run(mpi_command(ranks, program, *args), timeout=timeout)


def validate(*paths):
    """hdf5_schemas/ctscale_validate.py on the files; the CompletedProcess (exit 0: all valid)."""
    return run([PYTHON, VALIDATOR, *paths])


def program_lines(stderr, program):
    """The lines a ctscale program printed on stderr (mpiexec adds its own banner on failure)."""
    return [line for line in stderr.splitlines() if line.startswith(program + ":")]


def program_from_argv(name):
    """A test program CTest passes as the first argument ($<TARGET_FILE:name>), taken off
    sys.argv so that unittest does not see it; by hand it defaults to build/tests/<name>."""
    path = sys.argv.pop(1) if len(sys.argv) > 1 else os.path.join(REPO, "build", "tests", name)
    return os.path.abspath(path)
