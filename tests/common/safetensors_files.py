"""Writes safetensors files for the import tests: the format is an 8-byte little-endian
header length, a JSON header, then the tensor bytes (no holes)."""

import json
import os
import struct

import numpy as np

NUMPY_DTYPE = {"F32": "<f4", "F64": "<f8", "F16": "<f2", "BF16": "<u2", "I8": "i1", "I64": "<i8"}


def bf16_bits(values):
    """bfloat16 bit patterns (numpy has no bfloat16): the top half of float32 values."""
    f = np.asarray(values, dtype="<f4")
    return (f.view("<u4") >> 16).astype("<u2")


def random_tensor(rng, dtype, shape):
    """Values of `dtype` (bf16 as uint16 bit patterns), never NaN/Inf."""
    if dtype == "BF16":
        return bf16_bits(rng.standard_normal(shape)).reshape(shape)
    return rng.standard_normal(shape).astype(NUMPY_DTYPE[dtype])


def header_and_data(tensors, metadata=None):
    """tensors: {name: (dtype, array)} in the order their bytes are laid out."""
    header, chunks, offset = {}, [], 0
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, (dtype, array) in tensors.items():
        raw = np.ascontiguousarray(array).astype(NUMPY_DTYPE[dtype], copy=False).tobytes()
        header[name] = {"dtype": dtype, "shape": list(np.shape(array)), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    return header, b"".join(chunks)


def write_raw(path, header_text, data, claimed_length=None):
    """A file with an arbitrary header text (for malformed cases); the header is padded with
    spaces to a multiple of 8 as the reference writer does."""
    text = header_text.encode()
    text += b" " * (-len(text) % 8)
    length = len(text) if claimed_length is None else claimed_length
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", length) + text + data)


def write_safetensors(path, tensors, metadata=None):
    header, data = header_and_data(tensors, metadata if metadata is not None else {"format": "pt"})
    write_raw(path, json.dumps(header), data)


def write_sharded(directory, shards, config=None, index_name="model.safetensors.index.json"):
    """shards: [{name: (dtype, array)}], written as model-0000i-of-0000n.safetensors with an index."""
    os.makedirs(directory, exist_ok=True)
    weight_map = {}
    for i, tensors in enumerate(shards):
        file = f"model-{i + 1:05d}-of-{len(shards):05d}.safetensors"
        write_safetensors(os.path.join(directory, file), tensors)
        weight_map.update({name: file for name in tensors})
    total = sum(np.asarray(a).nbytes for s in shards for _, a in s.values())
    with open(os.path.join(directory, index_name), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f)
    if config is not None:
        with open(os.path.join(directory, "config.json"), "w") as f:
            json.dump(config, f)
    return os.path.join(directory, index_name)
