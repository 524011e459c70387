"""Helpers of the ctscale-report tests (the fixtures are in conftest.py)."""
import shutil

from tests.common.programs import built, checked, mpi_command, run

# Three small models of one family (d = 16, 32, 64) and a token stream: enough for every
# table and every fit, in seconds.
WIDTHS = (16, 32, 64)
TIMEOUT = 300  # seconds, for each program run


def mpi(ranks, program, *args):
    """A program under mpiexec, asserting exit code 0."""
    return checked(mpi_command(ranks, program, *args), timeout=TIMEOUT)


def report(*args):
    """ctscale-report; the CompletedProcess, whatever the exit code."""
    return run([built("ctscale-report"), *args], timeout=TIMEOUT)


def copy(src, dst):
    shutil.copyfile(src, dst)
    return dst
