#!/usr/bin/python3
"""ctscale-synth for real under mpiexec: presets with the right shapes and parameter counts,
identical data for any rank count (h5diff), valid files, token streams, clean usage errors."""

import unittest

import h5py
import numpy as np

from tests.common.programs import mpi, program_lines, run
from tests.common.scratch import ScratchTest


class Gpt2Preset(ScratchTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.files = {}
        for dtype in ("f32", "bf16"):
            for ranks in (1, 3):
                path = cls.path(f"gpt2_{dtype}_np{ranks}.h5")
                cls.files[dtype, ranks] = (mpi(ranks, "ctscale-synth", "--preset", "gpt2-124m", "--dtype", dtype,
                                               "-o", path, "--quiet", timeout=300), path)

    def test_written_valid_with_gpt2_small_parameter_count(self):
        result, path = self.files["f32", 3]
        self.assertOk(result)
        self.assertValid(path)
        with h5py.File(path) as f:
            weights = f["weights"]
            self.assertEqual(sum(d.size for d in weights.values()), 124_439_808)
            attn = weights["h.0.attn.c_attn.weight"]
            self.assertEqual(attn.shape, (2304, 768))
            self.assertEqual(attn.attrs["transposed"], 1)
            self.assertEqual(attn.attrs["kind"], "attn_qkv")
            self.assertEqual(weights["h.11.mlp.c_proj.weight"].shape, (768, 3072))
            self.assertEqual(weights["h.11.mlp.c_proj.weight"].attrs["layer"], 11)
            self.assertNotIn("lm_head.weight", weights)  # tied to wte

    def test_identical_for_one_and_three_ranks(self):
        for dtype in ("f32", "bf16"):
            with self.subTest(dtype=dtype):
                self.assertOk(self.files[dtype, 1][0])
                diff = run(["h5diff", self.files[dtype, 1][1], self.files[dtype, 3][1]], timeout=300)
                self.assertEqual(diff.returncode, 0, diff.stdout[-2000:])

    def test_bf16_is_stored_as_a_16_bit_float_that_h5py_reads(self):
        _, path = self.files["bf16", 3]
        with h5py.File(path) as f:
            dset = f["weights/wpe.weight"]
            self.assertEqual(dset.id.get_type().get_size(), 2)
            self.assertEqual(dset.id.get_type().get_fields(), (15, 7, 8, 0, 7))
            values = dset[:4, :4]
        with h5py.File(self.files["f32", 3][1]) as f:
            exact = f["weights/wpe.weight"][:4, :4]
        np.testing.assert_allclose(values, exact, rtol=2 ** -8)


class PresetShapes(ScratchTest):
    def test_tiny_and_custom(self):
        path = self.path("tiny.h5")
        self.assertOk(mpi(2, "ctscale-synth", "--preset", "tiny-10m", "-o", path))
        self.assertValid(path)
        with h5py.File(path) as f:
            w = f["weights"]
            self.assertEqual(w["transformer.h.7.mlp.fc_in.weight"].shape, (1024, 256))
            self.assertEqual(w["lm_head.weight"].shape, (8000, 256))
            self.assertEqual(f.attrs["n_layers"], 8)
            total = sum(d.size for d in w.values())
            self.assertTrue(10_000_000 < total < 11_000_000, total)
            # Trained-looking: a few large singular directions over the bulk, shrinking scale with depth.
            q = w["transformer.h.0.attn.q_proj.weight"][()].astype(float)
            s = np.linalg.svd(q, compute_uv=False)
            self.assertGreater(s[0] / np.median(s), 3)
            deep = w["transformer.h.7.attn.q_proj.weight"][()].astype(float)
            self.assertLess(np.linalg.norm(deep), np.linalg.norm(q))

    def test_token_stream(self):
        path = self.path("tokens.h5")
        self.assertOk(mpi(3, "ctscale-synth", "--tokens", "20000", "--vocab-size", "300", "--doc-length", "700",
                          "-o", path))
        self.assertValid(path)
        with h5py.File(path) as f:
            tokens = f["tokens"][()]
            self.assertEqual(len(tokens), 20000)
            self.assertEqual(list(f["document_offsets"][:3]), [0, 700, 1400])
            counts = np.bincount(tokens, minlength=300)
            self.assertGreater(counts[0], 10 * max(1, counts[200]))  # Zipf-like
        again = self.path("tokens1.h5")
        self.assertOk(mpi(1, "ctscale-synth", "--tokens", "20000", "--vocab-size", "300", "--doc-length", "700",
                          "-o", again))
        self.assertEqual(run(["h5diff", path, again]).returncode, 0)


class BadUsage(ScratchTest):
    def test_usage_errors_exit_2(self):
        for args in (["--preset", "gpt5"], ["--preset", "tiny-10m"], ["--d-model", "0", "--layers", "1", "-o", "x"],
                     ["--preset", "tiny-10m", "--dtype", "f8", "-o", "x"], ["--tokens", "0", "-o", "x"]):
            with self.subTest(args=args):
                result = mpi(2, "ctscale-synth", *args)
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertEqual(len(program_lines(result.stderr, "ctscale-synth")), 1, result.stderr)

    def test_unwritable_path_exits_1(self):
        result = mpi(2, "ctscale-synth", "--preset", "tiny-10m", "--output", "/nonexistent/dir/x.h5")
        self.assertEqual(result.returncode, 1)
        lines = program_lines(result.stderr, "ctscale-synth")
        self.assertEqual(len(lines), 1, result.stderr)
        self.assertIn("/nonexistent/dir/x.h5", lines[0])


if __name__ == "__main__":
    unittest.main()
