#!/usr/bin/python3
"""ctscale-mpi's fit stage, run for real under mpiexec on 1..4 ranks, checked number by
number against the independent NumPy/SciPy reference (tests/reference/fit_reference.py),
across rank counts, for bitwise repeatability, and against the results schema."""

import glob
import json
import os
import tempfile
import unittest

import h5py
import numpy as np

from tests.common.hdf5_files import small_weights, write_checkpoint
from tests.common.programs import FIT_REFERENCE, PYTHON, mpi, program_lines, run
from tests.common.scratch import ScratchTest

RANKS = (1, 2, 3, 4)


class AwkwardShapes(ScratchTest):
    """One row, constant rows, K > cols, more ranks than rows, cols not divisible by K,
    every dtype (f32, f64, f16, bf16) in one checkpoint."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.checkpoint = cls.path("awkward.h5")
        write_checkpoint(cls.checkpoint, small_weights())
        cls.results = {}
        for ranks in RANKS:
            out = cls.path(f"awkward_np{ranks}.h5")
            cls.results[ranks] = (mpi(ranks, "ctscale-mpi", "-i", cls.checkpoint, "-o", out, "--quiet",
                                      "--save-amplitudes", "--mem-per-rank", "4K"), out)

    def test_every_number_matches_the_reference_on_every_rank_count(self):
        for ranks, (result, out) in self.results.items():
            with self.subTest(ranks=ranks):
                self.assertOk(result)
                check = run([PYTHON, FIT_REFERENCE, "compare", self.checkpoint, out])
                self.assertOk(check)
                self.assertIn(" 0 mismatches", check.stdout)

    def test_rank_counts_agree_to_1e_10(self):
        for ranks in RANKS[1:]:
            with self.subTest(ranks=ranks):
                check = run([PYTHON, FIT_REFERENCE, "compare-results", self.results[1][1], self.results[ranks][1],
                             "--rtol", "1e-10"])
                self.assertOk(check)

    def test_edge_cases_are_recorded_not_fatal(self):
        with h5py.File(self.results[4][1]) as f:
            fits = f["summary/fits"][()]
            names = [n.decode() for n in fits["name"]]
            status = {(n, l.decode()): s.decode() for n, l, s in zip(names, fits["k_label"], fits["status"])}
            self.assertTrue(status[("blocks.0.narrow", "4")].startswith("skipped"))  # K=4 > cols=3
            self.assertEqual(status[("blocks.0.a", "4")], "ok")
            undefined = dict(zip(zip(names, (l.decode() for l in fits["k_label"])), fits["undefined_rows"]))
            self.assertEqual(undefined[("blocks.0.a", "4")], 1)  # the constant row
            r2 = f["matrices/blocks.0.a/r2_k4"][()]
            self.assertTrue(np.isnan(r2[2]) and np.isfinite(r2[[0, 1, 3, 4, 5]]).all())
            self.assertNotIn("r2_k4", f["matrices/blocks.0.narrow"])

    def test_files_are_valid_and_load_into_pandas_shaped_tables(self):
        for ranks, (_, out) in self.results.items():
            self.assertValid(out)
        with h5py.File(self.results[2][1]) as f:
            fits = f["summary/fits"][()]
            self.assertEqual(len(fits), 6 * 4)  # six matrices × (4, 8, 16, rule)
            self.assertEqual(f.attrs["mpi_ranks"], 2)

    def test_same_rank_count_is_bitwise_identical(self):
        out = self.path("awkward_np3_again.h5")
        self.assertOk(mpi(3, "ctscale-mpi", "-i", self.checkpoint, "-o", out, "--quiet", "--save-amplitudes",
                          "--mem-per-rank", "4K"))
        check = run([PYTHON, FIT_REFERENCE, "compare-results", self.results[3][1], out, "--rtol", "0", "--atol", "0"])
        self.assertOk(check)


class SyntheticModelsOfEveryDtype(ScratchTest):
    """A small synthetic GPT of every stored dtype, with non-default settings."""

    def test_reference_agrees_for_each_dtype(self):
        for dtype in ("f32", "f64", "f16", "bf16"):
            with self.subTest(dtype=dtype):
                checkpoint = self.path(f"small_{dtype}.h5")
                self.assertOk(mpi(2, "ctscale-synth", "--d-model", "40", "--layers", "2", "--ffn", "72",
                                  "--vocab-size", "50", "--dtype", dtype, "--seed", "5", "-o", checkpoint))
                out = self.path(f"small_{dtype}_results.h5")
                self.assertOk(mpi(3, "ctscale-mpi", "-i", checkpoint, "-o", out, "--quiet", "--k", "3,8,41",
                                  "--k-rule", "max(4,cols/8)", "--width", "1.25", "--null-seed", "99"))
                check = run([PYTHON, FIT_REFERENCE, "compare", checkpoint, out])
                self.assertOk(check)
                self.assertValid(out)


class WideRowsTakeTheBandedRoute(ScratchTest):
    """K = 96 on 512 columns and the rule's K = 64 on 1024 columns take the banded route
    (Φᵀw over Φ's non-negligible entries, then M_rᵀ); K = 4 and the rule on 512 columns stay
    dense. The reference agrees, rank counts agree, and amplitudes are saved correctly."""

    def test_reference_and_rank_counts_agree(self):
        checkpoint = self.path("wide.h5")
        self.assertOk(mpi(2, "ctscale-synth", "--d-model", "512", "--layers", "1", "--ffn", "1024",
                          "--vocab-size", "300", "--dtype", "bf16", "--seed", "8", "-o", checkpoint))
        outputs = {}
        for ranks in (1, 3):
            outputs[ranks] = self.path(f"wide_np{ranks}.h5")
            self.assertOk(mpi(ranks, "ctscale-mpi", "-i", checkpoint, "-o", outputs[ranks], "--quiet",
                              "--k", "4,96", "--save-amplitudes", "--mem-per-rank", "1M", "--spectral", "none"))
            check = run([PYTHON, FIT_REFERENCE, "compare", checkpoint, outputs[ranks]])
            self.assertOk(check)
            self.assertIn(" 0 mismatches", check.stdout)
        self.assertOk(run([PYTHON, FIT_REFERENCE, "compare-results", outputs[1], outputs[3], "--rtol", "1e-10"]))


class EmbeddedDefault(ScratchTest):
    def test_runs_prints_tables_and_leaves_no_file_behind(self):
        tmpdir = tempfile.mkdtemp(prefix="ctscale-default-")
        out, summary = self.path("default.h5"), self.path("default.json")
        env_tmp = os.environ.get("TMPDIR")
        os.environ["TMPDIR"] = tmpdir
        try:
            result = mpi(2, "ctscale-mpi", "-o", out, "--json", summary)
        finally:
            if env_tmp is None:
                del os.environ["TMPDIR"]
            else:
                os.environ["TMPDIR"] = env_tmp
        self.assertOk(result)
        for heading in ("Compression and fit quality", "Amplitude participation ratio", "Layer weight norms"):
            self.assertIn(heading, result.stdout)
        self.assertEqual(glob.glob(os.path.join(tmpdir, "*")), [], "the embedded checkpoint was not removed")
        os.rmdir(tmpdir)
        self.assertValid(out)
        with open(summary) as f:
            tables = json.load(f)
        with h5py.File(out) as f:
            self.assertEqual(f.attrs["model_name"], "tiny-10m")
            compression = f["summary/compression"][()]
            self.assertEqual([r["k_label"] for r in tables["compression"]],
                             [k.decode() for k in compression["k_label"]])
            self.assertAlmostEqual(tables["compression"][0]["r2_pooled"], compression["r2_pooled"][0], places=12)
            self.assertEqual(len(f["summary/layer_norms"]), 8)

    def test_without_output_writes_nothing(self):
        before = set(os.listdir("."))
        result = mpi(1, "ctscale-mpi", "--k", "8", "--k-rule", "none", "--quiet")
        self.assertOk(result)
        self.assertEqual(set(os.listdir(".")), before)


class CommandLine(ScratchTest):
    def test_usage_errors_exit_2_with_one_line(self):
        for args in (["--k", "0"], ["--k", "4,,8"], ["--k-rule", "max(8)"], ["--bogus"], ["--width", "-1"]):
            with self.subTest(args=args):
                result = mpi(2, "ctscale-mpi", *args)
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertEqual(len(program_lines(result.stderr, "ctscale-mpi")), 1, result.stderr)

    def test_runtime_errors_exit_1_naming_the_file(self):
        missing = self.path("missing.h5")
        result = mpi(2, "ctscale-mpi", "-i", missing)
        self.assertEqual(result.returncode, 1)
        self.assertEqual(program_lines(result.stderr, "ctscale-mpi"), [f"ctscale-mpi: error: {missing}: no such file"])
        checkpoint = self.path("c.h5")
        write_checkpoint(checkpoint, small_weights())
        result = mpi(2, "ctscale-mpi", "-i", checkpoint, "--matrices", "^nothing$")
        self.assertEqual(result.returncode, 1)
        self.assertIn("matches --matrices", result.stderr)
        result = mpi(2, "ctscale-mpi", "-i", checkpoint, "--k", "1000", "--k-rule", "none")
        self.assertEqual(result.returncode, 1)
        self.assertIn("nothing can be fitted", result.stderr)

    def test_help_and_version(self):
        for program in ("ctscale-mpi", "ctscale-synth"):
            result = mpi(1, program, "--help")
            self.assertOk(result)
            self.assertIn("--output", result.stdout)
            self.assertIn("0.1.0", mpi(1, program, "--version").stdout)


if __name__ == "__main__":
    unittest.main()
