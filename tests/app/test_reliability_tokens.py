#!/usr/bin/python3
"""docs/programs.md for ctscale-mpi --tokens, run for real under mpiexec at 1, 2 and 4 ranks: every
bad token stream or vocabulary gives one line naming the file and the problem, exit code 1
(2 for usage), within the time bound; an output naming the token stream is refused before
anything is written."""

import functools
import hashlib
import os
import unittest

import numpy as np

from tests.common import hdf5_files
from tests.common.programs import mpi
from tests.common.scratch import ScratchTest

RANK_COUNTS = (1, 2, 4)
TIME_BOUND = 60  # seconds: a hang fails the test instead of blocking CI
# A ctscale.tokens v1 file of vocabulary 50; tokens None leaves out the /tokens dataset.
write_tokens = functools.partial(hdf5_files.write_tokens, vocab_size=50, source="test_reliability_tokens")


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class BadTokenInputs(ScratchTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.good = cls.path("good.h5")
        write_tokens(cls.good, np.arange(300) % 40, "<u2")  # 40 distinct ids of vocab_size 50
        stream = np.arange(300) % 40
        too_large, negative = stream.copy(), stream.copy()
        too_large[[77, 90]] = [50, 63]
        negative[5] = -2
        cls.cases = {  # name: (file builder, --vocab, exit code, text of the one line)
            "missing_file": (None, "10", 1, "no such file"),
            "missing_dataset": (lambda p: write_tokens(p, None), "10", 1, "missing dataset /tokens"),
            "float_ids": (lambda p: write_tokens(p, stream / 1.0, "<f4"), "10", 1, "/tokens is not an integer dataset"),
            "empty": (lambda p: write_tokens(p, np.array([], np.uint32)), "10", 1, "/tokens is empty"),
            "id_too_large": (lambda p: write_tokens(p, too_large, "<u2"), "10", 1,
                             "2 token id(s) outside [0, 50), first at index 77 (value 50)"),
            "negative_id": (lambda p: write_tokens(p, negative, "<i4"), "10", 1,
                            "1 token id(s) outside [0, 50), first at index 5 (value -2)"),
            "vocab_zero": ("good", "0", 2, "--vocab: 0 is out of range"),
            "vocab_above_distinct": ("good", "10,50", 1, "--vocab 50 is larger than the 40 distinct tokens"),
        }

    def test_each_bad_token_input_gives_one_line_on_every_rank_count(self):
        for name, (build, vocab, code, expected) in self.cases.items():
            path = self.good if build == "good" else self.path(name + ".h5")
            if callable(build):
                build(path)
            for ranks in RANK_COUNTS:
                with self.subTest(case=name, ranks=ranks):
                    result = mpi(ranks, "ctscale-mpi", "--tokens", path, "--vocab", vocab, "-q", timeout=TIME_BOUND)
                    fragments = (expected,) if code == 2 else (path, expected)
                    self.assertOneLineError(result, "ctscale-mpi", code, *fragments)

    def test_output_naming_the_token_stream_is_refused_and_the_stream_kept(self):
        before = digest(self.good)
        same = (self.good, os.path.join(self.tmp, ".", "good.h5"))
        for ranks in RANK_COUNTS:
            for output in same:
                for option in ("-o", "--json"):
                    with self.subTest(ranks=ranks, option=option, output=output):
                        result = mpi(ranks, "ctscale-mpi", "--tokens", self.good, "--vocab", "10", option, output,
                                     "-q", timeout=TIME_BOUND)
                        self.assertOneLineError(result, "ctscale-mpi", 2, "names the token stream",
                                                "refusing to overwrite it")
                        self.assertEqual(digest(self.good), before)


if __name__ == "__main__":
    unittest.main()
