"""Shared helpers of the end-to-end tests: run the programs for real under mpiexec."""

import os
import subprocess
import sys
import tempfile
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("CTSCALE_BIN_DIR", os.path.join(REPO, "build", "bin"))
MPIEXEC = os.environ.get("CTSCALE_MPIEXEC", "mpiexec")
PYTHON = "/usr/bin/python3"
REFERENCE = os.path.join(REPO, "tests", "reference", "fit_reference.py")
VALIDATOR = os.path.join(REPO, "hdf5_schemas", "ctscale_validate.py")
MPI_ENV = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
           "OMPI_MCA_rmaps_base_oversubscribe": "1", "OPENBLAS_NUM_THREADS": "1"}

sys.path.insert(0, os.path.join(REPO, "tests", "reference"))


def run(args, timeout=120):
    """Runs a command; returns the CompletedProcess (text, never raises on exit code)."""
    env = dict(os.environ, **MPI_ENV)
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env)


def mpi(ranks, program, *args, timeout=120):
    return run([MPIEXEC, "-n", str(ranks), os.path.join(BIN, program), *args], timeout=timeout)


def program_lines(stderr, program):
    """The lines a ctscale program printed on stderr (mpiexec adds its own banner on failure)."""
    return [line for line in stderr.splitlines() if line.startswith(program + ":")]


class ScratchTest(unittest.TestCase):
    """A temporary directory per test class."""

    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory(prefix="ctscale-e2e-")
        cls.tmp = cls._tmp.name

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    @classmethod
    def path(cls, name):
        return os.path.join(cls.tmp, name)

    def assertOk(self, result):
        self.assertEqual(result.returncode, 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}")

    def assertValid(self, path):
        self.assertOk(run([PYTHON, VALIDATOR, path]))

    def assertOneLineError(self, result, program, code, *fragments):
        """docs/programs.md: exit `code`, exactly one line from the program (rank 0's), holding each
        fragment, and no Python or C++ traceback."""
        self.assertEqual(result.returncode, code, result.stderr)
        lines = program_lines(result.stderr, program)
        self.assertEqual(len(lines), 1, result.stderr)
        for fragment in fragments:
            self.assertIn(fragment, lines[0])
        self.assertNotIn("Traceback", result.stderr)
