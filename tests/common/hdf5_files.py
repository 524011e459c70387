"""Input files in the ctscale HDF5 formats (hdf5_schemas/README.md), written with h5py:
checkpoints (ctscale.checkpoint) of weights in any stored dtype, and token streams
(ctscale.tokens)."""

import h5py
import numpy as np
from h5py import h5d, h5s, h5t


def bf16_type():
    """The 16-bit HDF5 float type with bfloat16 fields (hdf5_schemas/README.md)."""
    t = h5t.IEEE_F32LE.copy()
    t.set_fields(15, 7, 8, 0, 7)
    t.set_offset(0)
    t.set_precision(16)
    t.set_size(2)
    t.set_ebias(127)
    return t


def to_bf16_words(values):
    """Round-to-nearest-even float32 → bfloat16 words."""
    bits = np.asarray(values, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    return rounded.astype(np.uint16)


def add_weight(group, name, values, layer, kind, dtype="f32"):
    """Store one weight dataset in the given dtype with its layer/kind attributes."""
    if dtype == "bf16":
        words = to_bf16_words(values)
        did = h5d.create(group.id, name.encode(), bf16_type(), h5s.create_simple(words.shape))
        did.write(h5s.ALL, h5s.ALL, words, mtype=bf16_type())
        dset = group[name]
    else:
        np_type = {"f32": np.float32, "f64": np.float64, "f16": np.float16}[dtype]
        dset = group.create_dataset(name, data=np.asarray(values, dtype=np_type))
    dset.attrs["layer"] = np.int64(layer)
    dset.attrs["kind"] = kind
    return dset


def write_checkpoint(path, weights):
    """weights: list of (name, values, layer, kind, dtype)."""
    with h5py.File(path, "w") as f:
        f.attrs.update({"schema": "ctscale.checkpoint", "schema_version": 1, "model_name": "t",
                        "architecture": "test", "d_model": 12, "n_layers": 2,
                        "vocab_size": 0, "source": "test_fit_reference.py"})
        g = f.create_group("weights")
        for name, values, layer, kind, dtype in weights:
            add_weight(g, name, values, layer, kind, dtype)


def small_weights(seed=1):
    """A mix covering the edge cases: a constant row, a 1-row matrix, K > cols, cols not
    divisible by K, f16 and bf16 storage, a 1-D tensor counted only in total_params."""
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((6, 12))
    a[2] = 0.25                                   # constant row → undefined
    smooth = np.sin(np.linspace(0, 3, 20))[None, :] * rng.standard_normal((9, 1))
    return [
        ("blocks.0.a", a, 0, "mlp_up", "f32"),
        ("blocks.0.one_row", rng.standard_normal((1, 10)), 0, "attn_o", "f64"),
        ("blocks.0.narrow", rng.standard_normal((5, 3)), 0, "attn_q", "f32"),
        ("blocks.1.half", rng.standard_normal((7, 13)), 1, "mlp_down", "f16"),
        ("blocks.1.bf", smooth + 0.05 * rng.standard_normal((9, 20)), 1, "mlp_gate", "bf16"),
        ("blocks.1.bias", rng.standard_normal(10), 1, "other", "f32"),
        ("lm_head", rng.standard_normal((11, 16)), -1, "lm_head", "f32"),
    ]


def write_tokens(path, tokens, dtype="<u4", offsets=None, vocab_size=None, schema="ctscale.tokens",
                 source="tests"):
    """A token stream; `tokens` None leaves out /tokens, `offsets` None /document_offsets, and
    vocab_size defaults to the largest id + 1."""
    with h5py.File(path, "w") as f:
        f.attrs["schema"] = schema
        f.attrs["schema_version"] = np.int64(1)
        f.attrs["vocab_size"] = np.int64(vocab_size if vocab_size is not None else int(np.max(tokens)) + 1)
        f.attrs["tokenizer"] = "test"
        f.attrs["source"] = source
        if tokens is not None:
            f.create_dataset("tokens", data=np.asarray(tokens), dtype=dtype)
        if offsets is not None:
            f.create_dataset("document_offsets", data=np.asarray(offsets, dtype=np.int64))
