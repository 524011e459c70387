"""unittest bases with a temporary directory: one per test class (ScratchTest, with checks of
program runs) or one per test (TempDirTest)."""

import os
import tempfile
import unittest

from tests.common.programs import program_lines, validate


class ScratchTest(unittest.TestCase):
    """A temporary directory per test class: cls.tmp, cls.path(name)."""

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
        self.assertOk(validate(path))

    def assertOneLineError(self, result, program, code, *fragments):
        """docs/programs.md: exit `code`, exactly one line from the program (rank 0's), holding each
        fragment, and no Python or C++ traceback."""
        self.assertEqual(result.returncode, code, result.stderr)
        lines = program_lines(result.stderr, program)
        self.assertEqual(len(lines), 1, result.stderr)
        for fragment in fragments:
            self.assertIn(fragment, lines[0])
        self.assertNotIn("Traceback", result.stderr)


class TempDirTest(unittest.TestCase):
    """A fresh temporary directory per test: self.tmp, self.path(name)."""

    def setUp(self):
        tmp = tempfile.TemporaryDirectory(prefix="ctscale-test-")
        self.addCleanup(tmp.cleanup)
        self.tmp = tmp.name

    def path(self, name):
        return os.path.join(self.tmp, name)
