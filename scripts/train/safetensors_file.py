"""Writes and verifies .safetensors files (the format's whole specification: an 8-byte
little-endian header length, a JSON header of name -> dtype, shape and byte range, then
the raw little-endian tensor bytes), without the safetensors package, which Debian 12
does not ship."""
from __future__ import annotations

import hashlib
import json
import os
import struct

import numpy as np


def write(path: str, tensors: dict, metadata: dict) -> str:
    """Writes float32 tensors (name -> numpy array) atomically; returns the file's sha256."""
    header, offset, blobs = {"__metadata__": {k: str(v) for k, v in metadata.items()}}, 0, []
    for name in sorted(tensors):
        array = np.ascontiguousarray(tensors[name], dtype="<f4")
        blob = array.tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)       # the data begins 8-byte aligned
    tmp = f"{path}.tmp-{os.getpid()}"
    digest = hashlib.sha256()
    with open(tmp, "wb") as f:
        for chunk in (struct.pack("<Q", len(text)), text, *blobs):
            f.write(chunk)
            digest.update(chunk)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return digest.hexdigest()


def sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read(path: str) -> dict:
    """name -> numpy float32 array (for tests and checks)."""
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    header.pop("__metadata__", None)
    return {name: np.frombuffer(data[e["data_offsets"][0]:e["data_offsets"][1]], dtype="<f4").reshape(e["shape"])
            for name, e in header.items()}
