#!/usr/bin/python3
"""docs/programs.md for ctscale-mpi, run for real under mpiexec at 1, 2 and 4 ranks: every bad input
gives one clear line and exit code 1 (2 for usage) within the time bound, results files are
never left half-written, and --resume after kill -9 ends with identical results."""

import os
import re
import shutil
import signal
import subprocess
import time
import unittest

import h5py
import numpy as np

from tests.common.hdf5_files import small_weights, write_checkpoint
from tests.common.programs import FIT_REFERENCE, PYTHON, mpi, mpi_command, mpi_env, program_lines, run
from tests.common.scratch import ScratchTest

RANK_COUNTS = (1, 2, 4)
TIME_BOUND = 60  # seconds: a hang fails the test instead of blocking CI


def good_weights():
    return small_weights()


class BadInputs(ScratchTest):
    """Each case: a checkpoint builder and the text the one error line must contain."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        rng = np.random.default_rng(0)
        cls.cases = {}

        def case(name, expected, build):
            path = cls.path(name + ".h5")
            build(path)
            cls.cases[name] = (path, expected)

        good = cls.path("good.h5")
        write_checkpoint(good, good_weights())
        case("missing", "no such file", lambda p: None)
        case("truncated", "truncated or corrupt HDF5 file", lambda p: open(p, "wb").write(open(good, "rb").read()[:3000]))
        case("not_hdf5", "not an HDF5 file", lambda p: open(p, "w").write("hello\n"))

        def with_attrs(p, **changes):
            shutil.copy(good, p)
            with h5py.File(p, "a") as f:
                for key, value in changes.items():
                    if value is None:
                        del f.attrs[key]
                    else:
                        f.attrs[key] = value

        case("wrong_schema", "schema is 'ctscale.results'", lambda p: with_attrs(p, schema="ctscale.results"))
        case("missing_schema", "missing attribute 'schema'", lambda p: with_attrs(p, schema=None))
        case("future_version", "unsupported schema_version 7", lambda p: with_attrs(p, schema_version=7))

        def edit(p, action):
            shutil.copy(good, p)
            with h5py.File(p, "a") as f:
                action(f)

        case("missing_weights", "missing group /weights", lambda p: edit(p, lambda f: f.move("weights", "w")))

        def add(name, data, kind="other"):
            def action(f):
                d = f["weights"].create_dataset(name, data=data)
                d.attrs["layer"] = 0
                d.attrs["kind"] = kind
            return action

        case("three_d", "/weights/cube has rank 3", lambda p: edit(p, add("cube", np.zeros((2, 3, 4)))))
        case("zero_d", "/weights/scalar has rank 0", lambda p: edit(p, add("scalar", np.float32(1))))
        case("integer", "/weights/ints dtype is integer", lambda p: edit(p, add("ints", np.ones((3, 4), np.int32))))
        case("strings", "dtype is string", lambda p: edit(p, add("text", np.array([[b"a", b"b"]]))))
        case("compound", "dtype is compound",
             lambda p: edit(p, add("pairs", np.zeros((2, 2), dtype=[("a", "f4"), ("b", "f4")]))))
        case("empty", "/weights/empty is an empty matrix (0x5)", lambda p: edit(p, add("empty", np.zeros((0, 5)))))
        case("empty_cols", "/weights/empty is an empty matrix (5x0)", lambda p: edit(p, add("empty", np.zeros((5, 0)))))

        def declared(name, shape):
            """A chunked dataset of `shape` that is never written: a huge shape costs nothing."""
            def action(f):
                d = f["weights"].create_dataset(name, shape=shape, dtype="f4", chunks=(1024, 1024))
                d.attrs["layer"] = 0
                d.attrs["kind"] = "mlp_up"
            return action

        # rows·cols fits int64 but its bytes as doubles do not: refused before any allocation.
        case("huge_shape", "/weights/huge has shape 2147483648x2147483648 (as doubles): 4611686018427387904 × 8 "
             "overflows", lambda p: edit(p, declared("huge", (2**31, 2**31))))
        case("bad_kind", "unknown kind 'mlp'", lambda p: edit(p, add("w", np.ones((2, 2)), kind="mlp")))
        bad = rng.standard_normal((6, 9))
        bad[4, 7] = np.nan
        bad[5, 1] = np.inf
        case("nonfinite", "2 non-finite value(s) (NaN/Inf), first at row 4, column 7",
             lambda p: edit(p, add("zz.bad", bad)))
        cls.good = good

    def test_each_bad_input_gives_one_line_and_exit_1_on_every_rank_count(self):
        for name, (path, expected) in self.cases.items():
            for ranks in RANK_COUNTS:
                with self.subTest(case=name, ranks=ranks):
                    result = mpi(ranks, "ctscale-mpi", "-i", path, "-q", timeout=TIME_BOUND)
                    self.assertEqual(result.returncode, 1, result.stderr)
                    lines = program_lines(result.stderr, "ctscale-mpi")
                    self.assertEqual(len(lines), 1, result.stderr)
                    self.assertIn(path, lines[0])
                    self.assertIn(expected, lines[0])
                    self.assertNotIn("Traceback", result.stderr)

    def test_nonfinite_matrices_can_be_skipped(self):
        path, _ = self.cases["nonfinite"]
        for ranks in RANK_COUNTS:
            with self.subTest(ranks=ranks):
                out = self.path(f"skipped_np{ranks}.h5")
                self.assertOk(mpi(ranks, "ctscale-mpi", "-i", path, "-o", out, "-q", "--on-nonfinite", "skip",
                                  timeout=TIME_BOUND))
                with h5py.File(out) as f:
                    fits = f["summary/fits"][()]
                    status = {n.decode(): s.decode() for n, s in zip(fits["name"], fits["status"])}
                    self.assertEqual(status["zz.bad"], "skipped: 2 non-finite values")
                    self.assertEqual(status["blocks.0.a"], "ok")

    def test_settings_that_leave_nothing_to_do(self):
        """Usage errors (exit 2) and valid settings under which nothing can be fitted (exit 1)."""
        cases = [
            (["--k", "0"], 2, "--k: 0 is out of range"),
            (["--k=-3"], 2, "--k: -3 is out of range"),
            (["--on-nonfinite", "ignore"], 2, "--on-nonfinite must be fail or skip"),
            (["--matrices", "^nothing$"], 1, "no 2-D dataset matches --matrices '^nothing$'"),
            (["--k", "1000", "--k-rule", "none"], 1, "nothing can be fitted"),
        ]
        for args, code, expected in cases:
            for ranks in RANK_COUNTS:
                with self.subTest(args=args, ranks=ranks):
                    result = mpi(ranks, "ctscale-mpi", "-i", self.good, "-q", *args, timeout=TIME_BOUND)
                    self.assertOneLineError(result, "ctscale-mpi", code, expected)

    def test_output_problems(self):
        cases = [
            (["-o", self.path("no/such/dir/r.h5")], 1, "does not exist"),
            (["-o", self.good], 2, "refusing to overwrite"),
            (["-o", os.path.join(self.tmp, ".", "good.h5")], 2, "refusing to overwrite"),
            (["--resume"], 2, "--resume needs --output"),
        ]
        for args, code, expected in cases:
            for ranks in RANK_COUNTS:
                with self.subTest(args=args, ranks=ranks):
                    result = mpi(ranks, "ctscale-mpi", "-i", self.good, *args, timeout=TIME_BOUND)
                    self.assertEqual(result.returncode, code, result.stderr)
                    lines = program_lines(result.stderr, "ctscale-mpi")
                    self.assertEqual(len(lines), 1, result.stderr)
                    self.assertIn(expected, lines[0])

    def test_unwritable_directory(self):
        # Root writes through permission bits, but not into a read-only filesystem.
        locked = self.path("locked")
        os.mkdir(locked)
        if os.geteuid() == 0:
            mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", locked],
                                     capture_output=True).returncode == 0
            if not mounted:
                self.skipTest("cannot mount a read-only tmpfs here")
        else:
            os.chmod(locked, 0o555)
        try:
            out = os.path.join(locked, "r.h5")
            for ranks in RANK_COUNTS:
                with self.subTest(ranks=ranks):
                    result = mpi(ranks, "ctscale-mpi", "-i", self.good, "-o", out, "-q", timeout=TIME_BOUND)
                    self.assertOneLineError(result, "ctscale-mpi", 1, out, "is not writable")
                    self.assertEqual(os.listdir(locked), [])
        finally:
            if os.geteuid() == 0:
                subprocess.run(["umount", locked])


class DiskFull(ScratchTest):
    def test_a_full_disk_leaves_the_existing_results_untouched(self):
        mount = self.path("small_fs")
        os.mkdir(mount)
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48k", "tmpfs", mount], capture_output=True).returncode:
            self.skipTest("cannot mount a tmpfs here (needs root)")
        try:
            checkpoint = self.path("c.h5")
            write_checkpoint(checkpoint, small_weights())
            previous = os.path.join(mount, "results.h5")
            with open(previous, "wb") as f:
                f.write(b"previous results\n")
            for ranks in RANK_COUNTS:
                with self.subTest(ranks=ranks):
                    result = mpi(ranks, "ctscale-mpi", "-i", checkpoint, "-o", previous, "-q", "--save-amplitudes",
                                 timeout=TIME_BOUND)
                    self.assertEqual(result.returncode, 1, result.stderr)
                    lines = program_lines(result.stderr, "ctscale-mpi")
                    self.assertEqual(len(lines), 1, result.stderr)
                    self.assertIn(previous, lines[0])
                    with open(previous, "rb") as f:
                        self.assertEqual(f.read(), b"previous results\n")
                    leftovers = [n for n in os.listdir(mount) if ".tmp." in n]
                    self.assertEqual(leftovers, [])
        finally:
            subprocess.run(["umount", mount])


def kill_when(test, args, out, prefix, count, victim_rank, stop_all=False):
    """Runs ctscale-mpi ARGS on 2 ranks and SIGKILLs one rank as soon as COUNT progress
    records starting with PREFIX exist (with stop_all, every rank is stopped first, so
    nothing more happens between seeing the records and the kill). Asserts that the run
    was killed before it could write OUT, and returns how many such records there were."""
    progress = out + ".ctscale-progress"
    job = subprocess.Popen(mpi_command(2, "ctscale-mpi", *args), env=mpi_env(), stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True)
    deadline = time.time() + TIME_BOUND
    records = 0
    while time.time() < deadline and job.poll() is None:
        records = len([n for n in os.listdir(progress) if re.fullmatch(prefix + r"\d+", n)]) \
            if os.path.isdir(progress) else 0  # records in place, not their temporaries
        if records >= count:
            ranks = rank_pids(out)
            if stop_all:
                for pid in ranks.values():
                    os.kill(pid, signal.SIGSTOP)
            os.kill(ranks[victim_rank], signal.SIGKILL)
            for pid in ranks.values() if stop_all else ():
                os.kill(pid, signal.SIGCONT)
            break
        time.sleep(0.002)
    job.communicate(timeout=TIME_BOUND)
    test.assertGreaterEqual(records, count, "the run finished before it could be killed")
    test.assertNotEqual(job.returncode, 0)
    test.assertFalse(os.path.exists(out), "a killed run must not leave a results file")
    return records


def rank_pids(marker):
    """PIDs of the ctscale-mpi processes whose command line contains `marker`, by MPI rank."""
    ranks = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode()
            if "ctscale-mpi" not in cmdline.split(" ")[0] or marker not in cmdline:
                continue
            with open(f"/proc/{pid}/environ", "rb") as f:
                env = dict(e.split(b"=", 1) for e in f.read().split(b"\0") if b"=" in e)
            ranks[int(env[b"OMPI_COMM_WORLD_RANK"])] = int(pid)
        except (OSError, KeyError, ValueError):
            continue
    return ranks


class KillAndResume(ScratchTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.checkpoint = cls.path("many.h5")
        result = mpi(2, "ctscale-synth", "--d-model", "192", "--layers", "40", "--vocab-size", "3000",
                     "-o", cls.checkpoint, "-q", timeout=300)
        assert result.returncode == 0, result.stderr
        cls.uninterrupted = cls.path("full.h5")
        assert mpi(2, "ctscale-mpi", "-i", cls.checkpoint, "-o", cls.uninterrupted, "-q").returncode == 0

    def kill_then_resume(self, victim_rank):
        out = self.path(f"resumed_{victim_rank}.h5")
        progress = out + ".ctscale-progress"
        command = mpi_command(2, "ctscale-mpi", "-i", self.checkpoint, "-o", out, "-q")
        job = subprocess.Popen(command, env=mpi_env(), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
        deadline = time.time() + TIME_BOUND
        records = 0
        while time.time() < deadline and job.poll() is None:
            records = len([n for n in os.listdir(progress) if n.startswith("fit-")]) if os.path.isdir(progress) else 0
            if records >= 10:
                os.kill(rank_pids(out)[victim_rank], signal.SIGKILL)
                break
            time.sleep(0.005)
        job.communicate(timeout=TIME_BOUND)
        self.assertGreaterEqual(records, 10, "the run finished before it could be killed")
        self.assertNotEqual(job.returncode, 0)
        self.assertFalse(os.path.exists(out), "a killed run must not leave a results file")
        result = mpi(2, "ctscale-mpi", "-i", self.checkpoint, "-o", out, "-q", "--resume", timeout=TIME_BOUND)
        self.assertOk(result)
        self.assertFalse(os.path.exists(progress), "the progress records are removed once results are in place")
        same = run([PYTHON, FIT_REFERENCE, "compare-results", self.uninterrupted, out, "--rtol", "0", "--atol", "0"])
        self.assertOk(same)

    def test_kill_9_of_rank_1_then_resume_gives_identical_results(self):
        self.kill_then_resume(1)

    def test_kill_during_the_spectral_stage_keeps_the_finished_spectra(self):
        out = self.path("spectra_killed.h5")
        records = kill_when(self, ["-i", self.checkpoint, "-o", out, "-q"], out, "spectrum-", 6, victim_rank=1)
        result = mpi(2, "ctscale-mpi", "-i", self.checkpoint, "-o", out, "-q", "--resume", timeout=TIME_BOUND)
        self.assertOk(result)
        matrices = self.matrix_count()
        self.assertIn(f"resuming: {matrices} of {matrices} fits", result.stderr)
        reused = int(re.search(r"resuming: (\d+) of \d+ spectra", result.stderr).group(1))
        self.assertGreaterEqual(reused, records, "every spectrum recorded before the kill is reused")
        self.assertLess(reused, matrices, "the kill came before the stage ended")
        same = run([PYTHON, FIT_REFERENCE, "compare-results", self.uninterrupted, out, "--rtol", "0", "--atol", "0"])
        self.assertOk(same)

    def test_kill_after_the_transition_stage_keeps_its_results(self):
        tokens = self.path("stream.h5")
        self.assertOk(mpi(2, "ctscale-synth", "--tokens", "200000", "--vocab-size", "3000", "-o", tokens, "-q"))
        args = ["-i", self.checkpoint, "--tokens", tokens, "--vocab", "500,1000,2000", "--save-amplitudes", "-q"]
        uninterrupted = self.path("with_tokens.h5")
        self.assertOk(mpi(2, "ctscale-mpi", *args, "-o", uninterrupted, timeout=TIME_BOUND))
        out = self.path("transition_killed.h5")
        # Stopped as soon as the transition record exists: while rank 0 writes the (large) results file.
        kill_when(self, args + ["-o", out], out, "transition-", 1, victim_rank=0, stop_all=True)
        result = mpi(2, "ctscale-mpi", *args, "-o", out, "--resume", timeout=TIME_BOUND)
        self.assertOk(result)
        self.assertIn("resuming: the transition results", result.stderr)
        same = run([PYTHON, FIT_REFERENCE, "compare-results", uninterrupted, out, "--rtol", "0", "--atol", "0"])
        self.assertOk(same)

    def matrix_count(self):
        with h5py.File(self.uninterrupted, "r") as f:
            return len(f["summary/matrices"]["name"])

    def test_kill_9_of_rank_0_then_resume_gives_identical_results(self):
        self.kill_then_resume(0)

    def test_resume_refuses_records_of_other_settings(self):
        out = self.path("other.h5")
        os.makedirs(out + ".ctscale-progress")
        with open(out + ".ctscale-progress/settings", "w") as f:
            f.write("input=/elsewhere.h5\n")
        result = mpi(2, "ctscale-mpi", "-i", self.checkpoint, "-o", out, "-q", "--resume")
        self.assertEqual(result.returncode, 1)
        self.assertIn("belongs to a run with other settings", result.stderr)


if __name__ == "__main__":
    unittest.main()
