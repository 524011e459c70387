"""ctscale-import --safetensors end to end, at 1, 2 and 4 ranks (and 3 for the sharded
bf16 checkpoint): files the tests write themselves, checked with h5py bit for bit."""

import json
import os
import unittest

import h5py
import numpy as np

from tests.common.programs import mpi, program_lines
from tests.common.safetensors_files import random_tensor, write_safetensors, write_sharded
from tests.common.scratch import ScratchTest

RANKS = (1, 2, 4)
UINT = {2: "<u2", 4: "<u4", 8: "<u8"}


def raw_bits(dataset):
    """The stored bits of a dataset, read in its own file type (no conversion)."""
    t = dataset.id.get_type()
    out = np.empty(dataset.shape, dtype=UINT[t.get_size()])
    dataset.id.read(h5py.h5s.ALL, h5py.h5s.ALL, out, mtype=t)
    return out


def source_bits(array):
    a = np.ascontiguousarray(array)
    return a.view(UINT[a.dtype.itemsize])


def float_layout(dataset):
    t = dataset.id.get_type()
    return (t.get_size(), t.get_fields(), t.get_ebias())


BF16_LAYOUT = (2, (15, 7, 8, 0, 7), 127)
F16_LAYOUT = (2, (15, 10, 5, 0, 10), 15)


def snapshot(path):
    """Everything in a checkpoint, for comparing two imports."""
    with h5py.File(path, "r") as f:
        root = {k: v for k, v in f.attrs.items() if k != "source"}
        weights = {n: (raw_bits(d).tobytes(), dict(d.attrs), float_layout(d)) for n, d in f["weights"].items()}
    return root, weights


class ImportTest(ScratchTest):
    def run_import(self, ranks, *args):
        return mpi(ranks, "ctscale-import", "--quiet", *args)

    def import_ok(self, ranks, source, output, *args):
        result = self.run_import(ranks, "--safetensors", source, "-o", output, *args)
        self.assertOk(result)
        self.assertValid(output)
        return result


class SingleFile(ImportTest):
    """Every supported dtype in one file, LLaMA naming, no config.json."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        rng = np.random.default_rng(1)
        d, ffn, vocab = 8, 13, 11
        cls.tensors = {
            "model.embed_tokens.weight": ("BF16", random_tensor(rng, "BF16", (vocab, d))),
            "model.layers.0.self_attn.q_proj.weight": ("F32", random_tensor(rng, "F32", (d, d))),
            "model.layers.0.self_attn.k_proj.weight": ("F16", random_tensor(rng, "F16", (4, d))),
            "model.layers.0.self_attn.v_proj.weight": ("F64", random_tensor(rng, "F64", (4, d))),
            "model.layers.0.self_attn.rotary_emb.inv_freq": ("F32", random_tensor(rng, "F32", (4,))),
            "model.layers.0.input_layernorm.weight": ("F32", random_tensor(rng, "F32", (d,))),
            "model.layers.0.mlp.gate_proj.weight": ("BF16", random_tensor(rng, "BF16", (ffn, d))),
            "model.layers.0.mlp.down_proj.weight": ("BF16", random_tensor(rng, "BF16", (d, ffn))),
            "model.norm.weight": ("F16", random_tensor(rng, "F16", (d,))),
            "logit_scale": ("F32", random_tensor(rng, "F32", ())),
            "lm_head.weight": ("BF16", random_tensor(rng, "BF16", (vocab, d))),
        }
        cls.source = cls.path("model.safetensors")
        write_safetensors(cls.source, cls.tensors)

    def test_every_dtype_bit_exact_at_each_rank_count(self):
        for ranks in RANKS:
            with self.subTest(ranks=ranks):
                out = self.path(f"single-np{ranks}.h5")
                # A tiny read buffer: several sub-blocks per rank.
                result = self.import_ok(ranks, self.source, out, "--mem-per-rank", "40")
                self.assertIn("inv_freq", result.stderr)
                self.assertIn("logit_scale", result.stderr)  # unknown name, listed
                with h5py.File(out, "r") as f:
                    self.assertEqual(dict(f.attrs)["architecture"], "llama")
                    self.assertEqual((f.attrs["d_model"], f.attrs["n_layers"], f.attrs["vocab_size"]), (8, 1, 11))
                    w = f["weights"]
                    self.assertNotIn("model.layers.0.self_attn.rotary_emb.inv_freq", w)
                    for name, (dtype, array) in self.tensors.items():
                        if "inv_freq" in name:
                            continue
                        np.testing.assert_array_equal(raw_bits(w[name]).ravel(), source_bits(array).ravel(), name)
                    self.assertEqual(float_layout(w["model.embed_tokens.weight"]), BF16_LAYOUT)
                    self.assertEqual(float_layout(w["model.layers.0.self_attn.k_proj.weight"]), F16_LAYOUT)
                    self.assertEqual(w["model.layers.0.self_attn.v_proj.weight"].dtype, np.dtype("<f8"))
                    self.assertEqual(w["logit_scale"].shape, (1,))
                    self.assertEqual(w["model.layers.0.mlp.gate_proj.weight"].attrs["kind"], "mlp_gate")
                    self.assertEqual(w["model.layers.0.mlp.gate_proj.weight"].attrs["layer"], 0)
                    self.assertEqual(w["lm_head.weight"].attrs["layer"], -1)
                    self.assertEqual(w["logit_scale"].attrs["kind"], "other")


    def test_overrides(self):
        out = self.path("overrides.h5")
        self.import_ok(2, self.source, out, "--vocab-size", "99", "--model-name", "mine", "--architecture", "mistral")
        with h5py.File(out, "r") as f:
            self.assertEqual((f.attrs["vocab_size"], f.attrs["model_name"], f.attrs["architecture"]),
                             (99, "mine", "mistral"))


class ShardedBf16(ImportTest):
    """The done criterion: a sharded bf16 checkpoint in the Hugging Face layout, shards in
    no particular layer order, imports at 1 and 3 ranks (and 2, 4) to identical files."""

    LAYERS, D, FFN, VOCAB = 12, 16, 24, 37

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        rng = np.random.default_rng(2)
        def layer(l):
            p = f"model.layers.{l}."
            shapes = {"self_attn.q_proj.weight": (cls.D, cls.D), "self_attn.k_proj.weight": (8, cls.D),
                      "self_attn.v_proj.weight": (8, cls.D), "self_attn.o_proj.weight": (cls.D, cls.D),
                      "mlp.gate_proj.weight": (cls.FFN, cls.D), "mlp.up_proj.weight": (cls.FFN, cls.D),
                      "mlp.down_proj.weight": (cls.D, cls.FFN), "input_layernorm.weight": (cls.D,),
                      "post_attention_layernorm.weight": (cls.D,), "self_attn.rotary_emb.inv_freq": (4,)}
            return {p + k: ("BF16", random_tensor(rng, "BF16", s)) for k, s in shapes.items()}
        shards = [{}, {}, {}]
        for l in (10, 8, 11, 9):
            shards[0].update(layer(l))
        for l in (3, 0, 2, 1):
            shards[1].update(layer(l))
        shards[2]["lm_head.weight"] = ("BF16", random_tensor(rng, "BF16", (cls.VOCAB, cls.D)))
        for l in (7, 4, 6, 5):
            shards[2].update(layer(l))
        shards[2]["model.embed_tokens.weight"] = ("BF16", random_tensor(rng, "BF16", (cls.VOCAB, cls.D)))
        shards[2]["model.norm.weight"] = ("BF16", random_tensor(rng, "BF16", (cls.D,)))
        cls.tensors = {k: v for s in shards for k, v in s.items()}
        cls.directory = cls.path("tiny-llama")
        config = {"model_type": "llama", "hidden_size": cls.D, "num_hidden_layers": cls.LAYERS,
                  "vocab_size": cls.VOCAB, "_name_or_path": "test/tiny-llama"}
        cls.index = write_sharded(cls.directory, shards, config)

    def test_identical_files_matching_the_source_at_1_2_3_4_ranks(self):
        reference = None
        for ranks in (1, 3, 2, 4):
            with self.subTest(ranks=ranks):
                out = self.path(f"sharded-np{ranks}.h5")
                result = self.import_ok(ranks, self.index, out)
                self.assertIn("left out 12 non-parameter buffer(s)", result.stderr)
                self.assertNotIn("not recognised", result.stderr)
                self.assertIn("3 file(s)", result.stdout)
                snap = snapshot(out)
                if reference is None:
                    reference = snap
                    self.check_against_source(out)
                else:
                    self.assertEqual(snap, reference, f"{ranks} ranks differ from 1 rank")

    def check_against_source(self, out):
        with h5py.File(out, "r") as f:
            self.assertEqual(f.attrs["model_name"], "test/tiny-llama")
            self.assertEqual((f.attrs["d_model"], f.attrs["n_layers"], f.attrs["vocab_size"]),
                             (self.D, self.LAYERS, self.VOCAB))
            w = f["weights"]
            self.assertEqual(len(w), len(self.tensors) - self.LAYERS)
            for name, (_, array) in self.tensors.items():
                if name.endswith("inv_freq"):
                    self.assertNotIn(name, w)
                    continue
                np.testing.assert_array_equal(raw_bits(w[name]), source_bits(array), name)
                self.assertEqual(float_layout(w[name]), BF16_LAYOUT, name)
                expected_layer = int(name.split(".")[2]) if name.startswith("model.layers.") else -1
                self.assertEqual(w[name].attrs["layer"], expected_layer, name)

    def test_directory_and_shard_list_inputs(self):
        out = self.path("from-directory.h5")
        self.import_ok(2, self.directory, out)
        from_index = self.path("from-index.h5")
        self.import_ok(2, self.index, from_index)
        self.assertEqual(snapshot(out), snapshot(from_index))
        plain = self.path("plain-shards")
        os.makedirs(plain)
        for f in os.listdir(self.directory):
            if f.endswith(".safetensors"):
                os.link(os.path.join(self.directory, f), os.path.join(plain, f))
        out2 = self.path("from-plain-directory.h5")
        result = self.import_ok(2, plain, out2)
        self.assertIn("no config.json", h5py.File(out2, "r").attrs["source"])
        self.assertEqual(snapshot(out)[1], snapshot(out2)[1])
        self.assertIn("3 file(s)", result.stdout)


class Gpt2Conv1D(ImportTest):
    """GPT-2 naming: Conv1D weights [in, out] transposed, causal-mask buffers left out,
    attributes inferred without config.json, unknown names warned about."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        rng = np.random.default_rng(3)
        d, vocab, positions = 8, 50, 16
        t = {"wte.weight": ("F32", random_tensor(rng, "F32", (vocab, d))),
             "wpe.weight": ("F32", random_tensor(rng, "F32", (positions, d)))}
        for l in range(2):
            p = f"h.{l}."
            t[p + "ln_1.weight"] = ("F32", random_tensor(rng, "F32", (d,)))
            t[p + "attn.bias"] = ("F32", np.tril(np.ones((1, 1, positions, positions), "<f4")))
            t[p + "attn.masked_bias"] = ("F32", np.array(-1e4, "<f4"))
            t[p + "attn.c_attn.weight"] = ("F32", random_tensor(rng, "F32", (d, 3 * d)))
            t[p + "attn.c_attn.bias"] = ("F32", random_tensor(rng, "F32", (3 * d,)))
            t[p + "attn.c_proj.weight"] = ("F32", random_tensor(rng, "F32", (d, d)))
            t[p + "mlp.c_fc.weight"] = ("F32", random_tensor(rng, "F32", (d, 4 * d)))
            t[p + "mlp.c_proj.weight"] = ("F32", random_tensor(rng, "F32", (4 * d, d)))
        t["ln_f.weight"] = ("F32", random_tensor(rng, "F32", (d,)))
        t["h.1.adapter.weight"] = ("F32", random_tensor(rng, "F32", (3, d)))
        cls.tensors = t
        cls.source = cls.path("gpt2.safetensors")
        write_safetensors(cls.source, t)

    def test_transposed_buffers_absent_at_each_rank_count(self):
        for ranks in RANKS:
            with self.subTest(ranks=ranks):
                out = self.path(f"gpt2-np{ranks}.h5")
                result = self.import_ok(ranks, self.source, out, "--mem-per-rank", "100")
                err = "\n".join(program_lines(result.stderr, "ctscale-import"))
                self.assertIn("left out 4 non-parameter buffer(s): h.0.attn.bias, h.0.attn.masked_bias", err)
                self.assertIn("1 tensor name(s) not recognised, stored as kind=other, layer=-1: h.1.adapter.weight", err)
                with h5py.File(out, "r") as f:
                    self.assertEqual((f.attrs["architecture"], f.attrs["d_model"], f.attrs["n_layers"],
                                      f.attrs["vocab_size"]), ("gpt2", 8, 2, 50))
                    w = f["weights"]
                    for name, (_, array) in self.tensors.items():
                        if name.endswith((".attn.bias", ".masked_bias")):
                            self.assertNotIn(name, w)
                            continue
                        conv = name.endswith(("c_attn.weight", "c_proj.weight", "c_fc.weight"))
                        expected = array.T if conv else array
                        np.testing.assert_array_equal(w[name][()], expected, name)
                        self.assertEqual(w[name].attrs.get("transposed", 0), 1 if conv else 0, name)
                    self.assertEqual(w["h.1.mlp.c_fc.weight"].shape, (32, 8))
                    self.assertEqual(w["h.1.mlp.c_fc.weight"].attrs["kind"], "mlp_up")
                    self.assertEqual(w["h.1.attn.c_attn.weight"].attrs["kind"], "attn_qkv")
                    self.assertEqual(w["h.1.adapter.weight"].attrs["layer"], -1)
                    self.assertEqual(w["wte.weight"].attrs["kind"], "embedding")


if __name__ == "__main__":
    unittest.main(verbosity=2)
