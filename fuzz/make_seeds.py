#!/usr/bin/python3
"""Writes the seed corpora of the fuzz targets (fuzz/corpus/<target>/). The files are
committed; rerun this only when a decoder changes. The checkpoint seeds follow the byte
layout that checkpoint_description.cpp decodes (see the helpers below)."""

import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

# --- safetensors_header: whole files --------------------------------------------------


def safetensors(header, data=b"", length=None):
    text = json.dumps(header).encode() if not isinstance(header, bytes) else header
    return struct.pack("<Q", len(text) if length is None else length) + text + data


SAFETENSORS = {
    "f32_matrix": safetensors({"w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}}, bytes(16)),
    "two_tensors_metadata": safetensors({
        "__metadata__": {"format": "pt"},
        "b": {"dtype": "BF16", "shape": [3], "data_offsets": [8, 14]},
        "a": {"dtype": "I64", "shape": [], "data_offsets": [0, 8]}}, bytes(14)),
    "zero_size_and_f4": safetensors({
        "z": {"dtype": "F16", "shape": [0, 7], "data_offsets": [0, 0]},
        "q": {"dtype": "F4", "shape": [2, 3], "data_offsets": [0, 3]}}, bytes(3)),
    "shape_overflows_int64": safetensors({"w": {"dtype": "F32", "shape": [4294967296, 4294967296],
                                                "data_offsets": [0, 0]}}),
    "bytes_overflow_uint64": safetensors({"w": {"dtype": "F64", "shape": [2305843009213693952],
                                                "data_offsets": [0, 0]}}),
    "offsets_wrap": safetensors({"w": {"dtype": "U8", "shape": [0],
                                       "data_offsets": [18446744073709551610, 18446744073709551610]}}),
    "length_past_end": safetensors({"w": {}}, length=1 << 20),
    "duplicate_names": safetensors(b'{"a": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}, '
                                   b'"a": {"dtype": "U8", "shape": [1], "data_offsets": [1, 2]}}', bytes(2)),
}

# --- checkpoint_schema: descriptions --------------------------------------------------

FORMS = ["absent", "expected", "vlen_text", "fixed_text", "int64", "narrow_int", "real", "text_array",
         "int_array", "null_space", "empty_array"]
TYPES = ["f32", "f64", "f16", "bf16", "f32_big_endian", "int32", "text", "compound", "odd_f16", "long_double"]
DIMS = [1, 2, 3, 4, 5, 7, 16, 0, 2, 3, 1 << 20, 1 << 31, 1 << 32, 1 << 61, 1 << 62, (1 << 63) - 1]
KINDS = ["attn_q", "attn_k", "attn_v", "attn_qkv", "attn_o", "mlp_up", "mlp_gate", "mlp_down", "embedding",
         "lm_head", "other"]
CONSUMES_ONE = {"d_model", "n_layers", "vocab_size", "layer", "transposed", "kind"}


def form_byte(form):
    return next(b for b in range(128, 256) if b % len(FORMS) == FORMS.index(form))


def attr(name, form="expected", value=None):
    if form == "expected":
        extra = value if value is not None else 1
        return bytes([0]) + (bytes([extra]) if name in CONSUMES_ONE else b"")
    if form in ("vlen_text", "vlen_ascii"):  # then 0 UTF-8, 1 ASCII
        out = bytes([form_byte("vlen_text"), form == "vlen_ascii"])
    else:
        out = bytes([form_byte(form)])
    if form in ("vlen_text", "vlen_ascii", "fixed_text", "text_array"):
        out += bytes([len(value)]) + value.encode()
    elif form == "int64":
        out += struct.pack("<q", value)
    elif form in ("real", "int_array"):
        out += struct.pack("<b", value)
    elif form == "narrow_int":
        out += bytes([2]) + struct.pack("<q", value)  # width 2: int32
    return out


ROOT = ["schema", "schema_version", "model_name", "architecture", "d_model", "n_layers", "vocab_size", "source"]


def root(**changes):
    return b"".join(attr(n, *changes[n]) if n in changes else attr(n) for n in ROOT)


def entry(dims, dtype="f32", values=None, bad=(), stem=0, layer=("expected", 0), kind=("expected", 5),
          transposed=("absent",), space=None, form=0):
    """dims: sizes from DIMS; space: 'scalar' or 'null' instead of a simple dataspace."""
    out = bytes([stem, form])
    if space is not None:
        out += bytes([{"scalar": 0, "null": 1}[space]])
    else:
        out += bytes([2, {1: 0, 2: 1, 3: 3}[len(dims)]]) + bytes(DIMS.index(d) for d in dims)
    out += bytes([TYPES.index(dtype)])
    out += attr("layer", *layer) + attr("kind", *kind) + attr("transposed", *transposed)
    n = 1
    for d in dims:
        n *= d
    small = space != "null" and all(d <= 16 for d in dims) and 0 < n <= 256 and TYPES.index(dtype) <= 4
    if small:
        values = values if values is not None else [(3 * i) % 256 for i in range(n)]
        out += bytes(values) + bytes([len(bad)])
        for position, which in bad:  # which: 0 NaN, 1 +Inf, 2 -Inf
            out += struct.pack("<H", position) + bytes([which])
    return out


def checkpoint(entries, weights=0, **root_changes):
    return root(**root_changes) + bytes([weights, len(entries)]) + b"".join(entries)


CHECKPOINTS = {
    "valid_f32_and_f16": checkpoint([entry([3, 4], bad=[(5, 0)]), entry([5], "f16", stem=2, layer=("absent",),
                                                                         kind=("absent",))]),
    "valid_bf16_inf": checkpoint([entry([4, 4], "bf16", bad=[(0, 1), (15, 2)], transposed=("expected", 1))]),
    "valid_f64_big_endian": checkpoint([entry([2, 3], "f64"), entry([3, 2], "f32_big_endian", stem=1)]),
    "valid_ascii_and_fixed_strings": checkpoint([entry([2, 2], kind=("vlen_ascii", "lm_head"))],
                                                schema=("vlen_ascii", "ctscale.checkpoint"),
                                                source=("fixed_text", "test")),
    "wrong_schema": checkpoint([], schema=("vlen_text", "ctscale.results")),
    "missing_schema": checkpoint([], schema=("absent",)),
    "future_version": checkpoint([], schema_version=("int64", 7)),
    "schema_string_array": checkpoint([], schema=("text_array", "ctscale.checkpoint")),
    "missing_weights": checkpoint([], weights=210),
    "weights_is_dataset": checkpoint([], weights=230),
    "three_d": checkpoint([entry([2, 3, 4])]),
    "scalar": checkpoint([entry([], space="scalar")]),
    "integer": checkpoint([entry([3, 4], "int32")]),
    "compound": checkpoint([entry([2, 2], "compound")]),
    "empty_matrix": checkpoint([entry([0, 5])]),
    "shape_2e31_squared": checkpoint([entry([1 << 31, 1 << 31])]),
    "shape_2e32_squared": checkpoint([entry([1 << 32, 1 << 32])]),
    "shape_int64_max": checkpoint([entry([(1 << 63) - 1])]),
    "shape_2e61_by_16": checkpoint([entry([1 << 61, 16])]),
    "unknown_kind": checkpoint([entry([2, 2], kind=("vlen_text", "mlp"))]),
    "layer_out_of_int": checkpoint([entry([2, 2], layer=("int64", 1 << 40))]),
    "group_entry": checkpoint([entry([2, 2], form=210)]),
}


def write(target, seeds):
    directory = os.path.join(HERE, "corpus", target)
    os.makedirs(directory, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(directory, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    write("safetensors_header", SAFETENSORS)
    write("checkpoint_schema", CHECKPOINTS)
