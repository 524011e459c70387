#!/usr/bin/python3
"""Baseline: read every 2-D dataset under /weights into memory, as stored (BENCHMARKS.md).

The floor for the fit stage's I/O: ``ctscale-mpi --k 8 --k-rule none`` should take at
most 1.5× the whole-process time of this script. 16-bit datasets are read as their raw
16-bit words (no HDF5 type conversion), matching "as stored".

Usage: h5py_read.py CHECKPOINT      prints ``elapsed_s <s>`` and ``bytes <n>``
"""

import time

T0 = time.perf_counter()

import sys  # noqa: E402

import h5py  # noqa: E402
import numpy as np  # noqa: E402
from h5py import h5s  # noqa: E402


def read_stored(dset):
    """The dataset's values in its stored width (16-bit floats as raw uint16 words)."""
    tid = dset.id.get_type()
    if tid.get_size() == 2:
        raw = np.empty(dset.shape, dtype=np.uint16)
        dset.id.read(h5s.ALL, h5s.ALL, raw, mtype=tid)
        return raw
    return dset[()]


def main(argv):
    if len(argv) != 2 or argv[1].startswith("-"):
        print("usage: h5py_read.py CHECKPOINT", file=sys.stderr)
        return 2
    total = 0
    with h5py.File(argv[1], "r") as f:
        group = f["weights"]
        for name in sorted(group):
            dset = group[name]
            if dset.ndim == 2:
                total += read_stored(dset).nbytes
    print(f"elapsed_s {time.perf_counter() - T0:.3f}")
    print(f"bytes {total}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
