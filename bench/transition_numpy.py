#!/usr/bin/python3
"""Dense NumPy baseline of the transition benchmark (BENCHMARKS.md): the six PRs of docs/definitions.md §7 —
C, (C+Cᵀ)/2, (C−Cᵀ)/2, P, (P+Pᵀ)/2, (P−Pᵀ)/2 — at one V, each as ‖X‖_F⁴/‖XᵀX‖_F² with a
dense Gram product (OpenBLAS dgemm), as an efficient NumPy user would write it. Prints one
JSON line: {"V", "seconds", "pr_counts", ...}; the time covers reading and counting too.

usage: transition_numpy.py TOKENS.h5 V
"""

import json
import sys
import time

import h5py
import numpy as np

NAMES = ("counts", "counts_sym", "counts_skew", "P", "P_sym", "P_skew")


def main():
    start = time.perf_counter()
    path, v = sys.argv[1], int(sys.argv[2])
    with h5py.File(path, "r") as f:
        tokens = f["tokens"][()].astype(np.int64)
        offsets = f["document_offsets"][()] if "document_offsets" in f else np.zeros(0, dtype=np.int64)
    counts = np.bincount(tokens)
    vocab = np.lexsort((np.arange(len(counts)), -counts))[:v]  # most frequent, ties by smaller id
    index = np.full(len(counts), -1)
    index[vocab] = np.arange(v)
    keep = np.ones(len(tokens) - 1, dtype=bool)
    starts = offsets[(offsets >= 1) & (offsets < len(tokens))]
    keep[starts - 1] = False
    a, b = index[tokens[:-1][keep]], index[tokens[1:][keep]]
    inside = (a >= 0) & (b >= 0)
    c = np.bincount(a[inside] * v + b[inside], minlength=v * v).reshape(v, v).astype(np.float64)
    rowsum = c.sum(axis=1)
    p = np.divide(c, rowsum[:, None], out=np.zeros_like(c), where=rowsum[:, None] > 0)
    out = {"V": v}
    for name, x in zip(NAMES, (c, (c + c.T) / 2, (c - c.T) / 2, p, (p + p.T) / 2, (p - p.T) / 2)):
        g = x.T @ x
        fro2 = float(np.einsum("ij,ij->", x, x))
        out["pr_" + name] = fro2 * fro2 / float(np.einsum("ij,ij->", g, g))
    out["seconds"] = time.perf_counter() - start
    print(json.dumps(out))


if __name__ == "__main__":
    main()
