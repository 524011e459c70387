#!/usr/bin/python3
"""ctscale-mpi --dry-run, run for real under mpiexec: the plan (matrices, rows per rank), each
stage's estimate for one or more rank counts from rates it measures (or is given), the
memory each rank needs — which the measured peak resident set of the same run must not
exceed — and its usage errors. Timing accuracy is a benchmark (bench/dry_run_accuracy.sh),
not a test: these machines are shared."""

import json
import os
import unittest

import h5py

from tests.common.hdf5_files import small_weights, write_checkpoint
from tests.common.programs import mpi, program_lines
from tests.common.scratch import ScratchTest


def plan_json(test, ranks, *args):
    """Runs a dry run with --json; returns (CompletedProcess, the plan)."""
    path = test.path(f"plan_{len(os.listdir(test.tmp))}.json")
    result = mpi(ranks, "ctscale-mpi", "--dry-run", "--json", path, *args, timeout=300)
    test.assertOk(result)
    with open(path) as f:
        return result, json.load(f)


class Plan(ScratchTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.checkpoint = cls.path("c.h5")
        write_checkpoint(cls.checkpoint, small_weights())

    def test_plan_on_any_rank_count_writes_no_results(self):
        for ranks in (1, 4):
            with self.subTest(ranks=ranks):
                out = self.path(f"never_{ranks}.h5")
                result = mpi(ranks, "ctscale-mpi", "-i", self.checkpoint, "--dry-run", "-o", out,
                             "--min-work-per-rank", "0")
                self.assertOk(result)
                for expected in ("blocks.0.a", "Rates per rank", "read (fit stage)", "spectra (pr)",
                                 "peak memory per rank", f"measured here on {ranks} rank"):
                    self.assertIn(expected, result.stdout)
                self.assertFalse(os.path.exists(out), "a dry run must not write results")
        # Rows per rank follow the ⌈m/P⌉ partition: the 11-row lm_head on 4 ranks → 3.
        row = [l for l in result.stdout.splitlines() if l.strip().startswith("lm_head")][0].split()
        self.assertEqual(row[1:5], ["11", "16", "f32", "3"])

    def test_every_rank_count_asked_for_gets_its_estimate(self):
        _, plan = plan_json(self, 2, "-i", self.checkpoint, "--plan-ranks", "1,3,64", "--spectral", "full",
                            "--min-work-per-rank", "0")
        self.assertEqual([e["ranks"] for e in plan["estimates"]], [1, 3, 64])
        self.assertEqual([e["working_ranks"] for e in plan["estimates"]], [1, 3, 64])
        self.assertEqual(plan["rates"]["measured_on_ranks"], 2)
        one, three, many = plan["estimates"]
        # Reads and the fit follow the rows per rank: fewer with more ranks, never none.
        self.assertGreater(one["read_bytes_per_rank"], three["read_bytes_per_rank"])
        self.assertGreater(three["read_bytes_per_rank"], many["read_bytes_per_rank"])
        self.assertGreater(many["read_bytes_per_rank"], 0)
        self.assertGreater(one["fit_seconds"], many["fit_seconds"] - plan["rates"]["basis_seconds"])
        for e in plan["estimates"]:
            self.assertGreater(e["spectral_seconds"], 0)
            self.assertAlmostEqual(e["total_seconds"], e["read_seconds"] + e["fit_seconds"] + e["spectral_seconds"])
            self.assertGreater(e["peak_memory_bytes_per_rank"], e["memory_bytes"]["process"])
        with h5py.File(self.checkpoint) as f:
            widths = {str(d.shape[1]) for d in f["weights"].values() if d.ndim == 2}
        self.assertEqual(set(plan["rates"]["fit_seconds_per_row"]), widths)

    def test_a_rank_count_is_planned_with_the_ranks_its_input_keeps_working(self):
        # A share of 40% of the file: 3 working ranks of 64, as the run would have them.
        share = str(int(os.path.getsize(self.checkpoint) * 0.4))
        result, plan = plan_json(self, 1, "-i", self.checkpoint, "--plan-ranks", "2,3,64", "--min-work-per-rank", share)
        two, three, many = plan["estimates"]
        self.assertEqual([e["working_ranks"] for e in plan["estimates"]], [2, 3, 3])
        self.assertEqual(many["ranks"], 64)
        for key in ("read_bytes_per_rank", "peak_memory_bytes_per_rank"):
            self.assertEqual(many[key], three[key])
            self.assertNotEqual(two[key], three[key])
        self.assertRegex(result.stdout, r"of them working +2 +3 +3\n")

    def test_rates_for_a_target_cluster_rescale_the_estimates(self):
        _, here = plan_json(self, 1, "-i", self.checkpoint)
        _, there = plan_json(self, 1, "-i", self.checkpoint, "--rates", "read=1000,gemm=1000000")
        self.assertEqual(there["rates"]["read_bytes_per_second"], 1e12)
        self.assertAlmostEqual(there["rates"]["gemm_flops_per_second"] / 1e15, 1.0, places=12)
        # A machine 10⁴× faster at GEMM than any here: the compute estimates shrink with it.
        self.assertLess(there["estimates"][0]["fit_seconds"], here["estimates"][0]["fit_seconds"] / 1000)
        self.assertLess(there["estimates"][0]["read_seconds"], 1e-6)
        self.assertIn("rescaled to --rates", there["rates"]["origin"])

    def test_usage_errors_exit_2_with_one_line(self):
        for args in (["--rates", "read=0"], ["--rates", "speed=2"], ["--rates", "read=2x"], ["--rates", ""],
                     ["--plan-ranks", "0"], ["--plan-ranks", "2,,4"], ["--plan-ranks", "4"], ["--rates", "read=2"]):
            with self.subTest(args=args):
                dry = [] if args in (["--plan-ranks", "4"], ["--rates", "read=2"]) else ["--dry-run"]
                result = mpi(2, "ctscale-mpi", "-i", self.checkpoint, *dry, *args)
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertEqual(len(program_lines(result.stderr, "ctscale-mpi")), 1, result.stderr)


class TokenStream(ScratchTest):
    def test_a_token_stream_alone_gets_a_transition_estimate(self):
        tokens = self.path("t.h5")
        self.assertOk(mpi(2, "ctscale-synth", "--tokens", "50000", "--vocab-size", "3000", "-o", tokens, "-q"))
        result, plan = plan_json(self, 2, "--tokens", tokens, "--vocab", "100,400")
        self.assertIn("t.h5 (50000 tokens)", result.stdout)
        self.assertIn("transition", result.stdout)
        self.assertNotIn("read (fit stage)", result.stdout)
        estimate = plan["estimates"][0]
        self.assertGreater(estimate["transition_seconds"], 0)
        self.assertEqual(estimate["total_seconds"], estimate["transition_seconds"])


class MemoryBound(ScratchTest):
    """The plan's peak memory per rank against the run's own peak_rss_bytes (the largest
    VmHWM of any rank), on a model whose spectral stage holds a few hundred MB."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.checkpoint = cls.path("d512.h5")
        cls.tokens = cls.path("tokens.h5")
        for args in (["--d-model", "512", "--layers", "2", "--vocab-size", "16000", "-o", cls.checkpoint],
                     ["--tokens", "300000", "--vocab-size", "20000", "-o", cls.tokens]):
            result = mpi(2, "ctscale-synth", *args, "-q", timeout=300)
            assert result.returncode == 0, result.stderr

    def test_measured_peak_stays_within_the_plan(self):
        for mode in ("pr", "full"):
            for ranks in (1, 2):
                with self.subTest(mode=mode, ranks=ranks):
                    args = ["-i", self.checkpoint, "--tokens", self.tokens, "--vocab", "500,2000",
                            "--spectral", mode]
                    _, plan = plan_json(self, ranks, *args)
                    planned = plan["estimates"][0]["peak_memory_bytes_per_rank"]
                    out = self.path(f"r_{mode}_{ranks}.h5")
                    self.assertOk(mpi(ranks, "ctscale-mpi", *args, "-o", out, "-q", timeout=300))
                    with h5py.File(out) as f:
                        measured = int(f.attrs["peak_rss_bytes"])
                    self.assertGreater(measured, 20 << 20)
                    self.assertLessEqual(measured, planned)
                    # An estimate, not a blanket: within 2.5× of what the run used.
                    self.assertLess(planned, 2.5 * measured, plan["estimates"][0]["memory_bytes"])


if __name__ == "__main__":
    unittest.main()
