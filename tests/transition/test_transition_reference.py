#!/usr/bin/python3
"""The transition stage (transition_dump) against the NumPy reference
(tests/reference/transition_reference.py) on synthetic streams with and without document
offsets, 1..4 ranks: counts exact, PRs relative 1e-8, slopes 1e-8 relative + 1e-12, rank
counts agreeing to 1e-10, full-mode singular values within 1e-6·σ₁, bitwise-identical
repeated runs, the /transition layout of the results schema; and the error cases.

Run: /usr/bin/python3 tests/transition/test_transition_reference.py BUILD/tests/transition_dump
(ctest sets CTSCALE_BIN_DIR, CTSCALE_MPIEXEC, PYTHONPATH and the Open MPI variables; by hand,
docs/testing.md).
"""

import functools
import json
import math
import os
import sys
import tempfile
import unittest

import h5py
import numpy as np

from tests.common import hdf5_files
from tests.common.programs import REPO, mpi, program_from_argv
from tests.common.scratch import ScratchTest
from tests.reference import transition_reference as ref

DUMP = program_from_argv("transition_dump")
RANKS = (1, 2, 3, 4)
write_tokens = functools.partial(hdf5_files.write_tokens, source="test_transition_reference")


def markov_stream(rng, length, vocab):
    """A Zipf unigram law with sticky successors: structure for the PRs to see."""
    p = 1.0 / np.arange(1, vocab + 1) ** 1.1
    p /= p.sum()
    fresh = rng.choice(vocab, size=length, p=p)
    successor = rng.choice(vocab, size=vocab, p=p)
    follow = rng.random(length) < 0.5
    out = fresh.copy()
    for s in range(1, length):
        if follow[s]:
            out[s] = successor[out[s - 1]]
    return out


def run_dump(tokens, vocab, ranks, *extra):
    """(CompletedProcess, parsed JSON or None)."""
    out = tempfile.NamedTemporaryFile(suffix=".json", delete=False).name
    try:
        proc = mpi(ranks, DUMP, tokens, out, vocab, *extra, timeout=300)
        data = None
        if proc.returncode == 0 and os.path.getsize(out):
            with open(out) as f:
                data = json.load(f)
        return proc, data
    finally:
        os.unlink(out)


def close(x, y, rtol, atol=0.0):
    if x is None or y is None or (isinstance(y, float) and math.isnan(y)):
        return (x is None or math.isnan(x)) and (y is None or math.isnan(y))
    return abs(x - y) <= rtol * abs(y) + atol


class TransitionReferenceTest(ScratchTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        rng = np.random.default_rng(11)
        # With offsets: 0, consecutive (one-token documents), and len among them.
        t = markov_stream(rng, 30000, 400)
        offsets = np.unique(np.concatenate([[0, 17, 18, 19, 29999, 30000], rng.choice(30000, 60, replace=False)]))
        cls.with_offsets = cls.path("offsets.h5")
        write_tokens(cls.with_offsets, t, "<u2", offsets, vocab_size=50000)
        # Without offsets; ids from a sparse subset of a large vocabulary.
        ids = rng.choice(5000, 600, replace=False)
        cls.plain = cls.path("plain.h5")
        write_tokens(cls.plain, ids[markov_stream(rng, 20000, 600)], "<i8", None, vocab_size=5000)
        cls.synth = cls.path("synth.h5")
        proc = mpi(2, "ctscale-synth", "--tokens", "120000", "--vocab-size", "2500", "--doc-length", "333",
                   "-o", cls.synth, timeout=300)
        assert proc.returncode == 0, proc.stderr

    def compare(self, got, want, label):
        self.assertEqual(got["tokens"], want["tokens"], label)
        self.assertEqual(got["distinct_tokens"], want["distinct_tokens"], label)
        self.assertEqual(len(got["rows"]), len(want["rows"]), label)
        for g, w in zip(got["rows"], want["rows"]):
            for key, value in w.items():
                if key.startswith("sv_"):
                    continue
                if isinstance(value, int):
                    self.assertEqual(g[key], value, f"{label} V={w['vocab_size']} {key}")
                else:
                    self.assertTrue(close(g[key], value, 1e-8), f"{label} V={w['vocab_size']} {key}: {g[key]} vs {value}")
        for key, s in want["slopes"].items():
            for part in ("slope", "stderr"):
                self.assertTrue(close(got["slopes"][key][part], s[part], 1e-8, 1e-12), f"{label} {key} {part}")

    def check_stream(self, path, vocab, seed="0"):
        want = ref.reference(path, [int(v) for v in vocab.split(",")], int(seed))
        first = None
        for ranks in RANKS:
            proc, got = run_dump(path, vocab, ranks, "--seed", seed)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            self.compare(got, want, f"{os.path.basename(path)} np{ranks}")
            if first is None:
                first = got
                continue
            for g, f in zip(got["rows"], first["rows"]):  # rank counts agree to 1e-10
                for key in f:
                    if key.startswith("pr_"):
                        self.assertTrue(close(g[key], f[key], 1e-10), f"np{ranks} vs np1 {key}")

    def test_reference_self_consistency(self):
        # SplitMix64 seeded with 0: the generator's published first outputs.
        self.assertEqual([int(z) for z in ref.splitmix64(0, 3)],
                         [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F])
        self.assertEqual(list(ref.vocabulary(np.array([3, 5, 5, 0, 3, 1, 5]), 5)), [1, 2, 6, 0, 4])
        dense = ref.reference(self.with_offsets, [50, 200])
        sparse = ref.reference(self.with_offsets, [50, 200], dense_max=0)
        for d, s in zip(dense["rows"], sparse["rows"]):
            for key, value in d.items():
                self.assertTrue(close(s[key], value, 1e-12), key)

    def test_stream_with_document_offsets(self):
        self.check_stream(self.with_offsets, "20,100,250,399")

    def test_stream_without_offsets(self):
        self.check_stream(self.plain, "50,300,560", seed="12345")

    def test_synthetic_stream_of_ctscale_synth(self):
        self.check_stream(self.synth, "100,500,1000,2000")

    def test_full_mode_singular_values(self):
        want = ref.reference(self.with_offsets, [20, 90], 0, svd=True)
        for ranks in (1, 2, 4):
            proc, got = run_dump(self.with_offsets, "20,90", ranks, "--full")
            self.assertEqual(proc.returncode, 0, proc.stderr)
            self.compare(got, want, f"full np{ranks}")
            for g, w in zip(got["rows"], want["rows"]):
                for name in ref.NAMES:
                    s, r = np.array(g["sv_" + name]), np.array(w["sv_" + name])
                    self.assertEqual(len(s), len(r))
                    self.assertLessEqual(np.max(np.abs(s - r)), 1e-6 * r[0], f"np{ranks} {name}")

    def test_repeated_runs_are_identical_and_hdf5_layout(self):
        h5 = [self.path("a.h5"), self.path("b.h5")]
        runs = [run_dump(self.synth, "500,1000", 3, "--h5", h5[k], "--full") for k in range(2)]
        self.assertEqual(runs[0][1], runs[1][1])
        with open(os.path.join(REPO, "hdf5_schemas", "results.v1.json")) as f:
            schema = json.load(f)
        fields = next(n["fields"] for n in schema["nodes"] if n["path"] == "/transition/summary")
        with h5py.File(h5[0], "r") as a, h5py.File(h5[1], "r") as b:
            table = a["transition/summary"]
            self.assertEqual(list(table.dtype.names), [f["name"] for f in fields])
            for f in fields:
                self.assertEqual(table.dtype[f["name"]], np.dtype(f["type"]), f["name"])
            self.assertEqual(list(table["vocab_size"]), [500, 1000])
            self.assertEqual(table[()].tobytes(), b["transition/summary"][()].tobytes())
            for name in ref.NAMES:
                self.assertIn("slope_pr_" + name, table.attrs)
                self.assertIn("slope_stderr_pr_" + name + "_null", table.attrs)
                sv = a[f"transition/V1000/singular_values_{name}"][()]
                self.assertEqual(len(sv), 1000)
                self.assertTrue(np.all(np.diff(sv) <= 0))
            self.assertEqual(a["transition"].attrs["null_seed"], 0)


class TransitionErrorTest(ScratchTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ok = cls.path("ok.h5")
        write_tokens(cls.ok, np.arange(300) % 40, "<u2", [0, 100])  # 40 distinct tokens

    def expect_error(self, path, vocab, text, *extra, ranks=(1, 3)):
        for n in ranks:
            proc, _ = run_dump(path, vocab, n, *extra)
            self.assertEqual(proc.returncode, 1, proc.stderr)
            lines = [line for line in proc.stderr.splitlines() if line.startswith("transition_dump: error:")]
            self.assertEqual(len(lines), 1, proc.stderr)  # one line, from rank 0
            self.assertIn(text, lines[0])

    def write(self, name, *args, **kwargs):
        path = os.path.join(self.tmp, name)
        write_tokens(path, *args, **kwargs)
        return path

    def test_explicit_vocab_above_distinct_tokens(self):
        self.expect_error(self.ok, "10,50", "--vocab 50 is larger than the 40 distinct tokens")

    def test_default_list_values_dropped_with_a_warning(self):
        proc, got = run_dump(self.ok, "10,20,50,100", 2, "--default")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual([r["vocab_size"] for r in got["rows"]], [10, 20])
        self.assertIn("transition_dump: warning:", proc.stderr)
        self.assertIn("V = 50,100 of the default --vocab list dropped", proc.stderr)
        self.expect_error(self.ok, "500,1000", "no V of the default --vocab list fits", "--default")

    def test_ids_out_of_range_name_the_first_position(self):
        t = np.arange(1000) % 50
        t[[613, 700]] = [50, 77]
        path = self.write("range.h5", t, "<u2", vocab_size=50)
        self.expect_error(path, "10", "/tokens: 2 token id(s) outside [0, 50), first at index 613 (value 50)",
                          ranks=(1, 2, 3, 4))

    def test_negative_ids(self):
        t = np.arange(100) % 10
        t[42] = -5
        path = self.write("negative.h5", t, "<i4", vocab_size=10)
        self.expect_error(path, "5", "first at index 42 (value -5)")

    def test_empty_and_missing_token_dataset(self):
        self.expect_error(self.write("empty.h5", np.array([], dtype=np.uint32), vocab_size=10), "5",
                          "/tokens is empty")
        self.expect_error(self.write("missing.h5", None, vocab_size=10), "5", "missing dataset /tokens")

    def test_bad_offsets_schema_and_files(self):
        t = np.arange(100) % 10
        self.expect_error(self.write("offsets.h5", t, offsets=[0, 50, 50]), "5",
                          "/document_offsets: not strictly increasing at index 2")
        self.expect_error(self.write("offsets2.h5", t, offsets=[0, 101]), "5", "value 101 at index 1 is outside [0, 100]")
        self.expect_error(self.write("schema.h5", t, schema="ctscale.checkpoint"), "5", "expected 'ctscale.tokens'")
        self.expect_error(os.path.join(self.tmp, "nope.h5"), "5", "no such file")
        text = os.path.join(self.tmp, "text.h5")
        with open(text, "w") as f:
            f.write("not hdf5\n")
        self.expect_error(text, "5", "not an HDF5 file")


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
