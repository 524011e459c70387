#!/usr/bin/python3
"""Independent NumPy reference for docs/definitions.md §7 (transition matrices), written from those
alone: the token file, the top-V vocabulary (ties: smaller id), bigrams that do not cross
a document offset, C and the row-normalised P, their symmetric and skew parts, the six
participation ratios pr = (Σσ²)²/Σσ⁴ = ‖X‖_F⁴/‖XᵀX‖_F² from a dense Gram product (no SVD),
the i.i.d. null stream (position-indexed SplitMix64), and the log-log slopes.

Dense V×V arrays up to `dense_max` (default 2000); above that C is built as a SciPy sparse
matrix and XᵀX formed by SciPy's sparse product (a different code path from ctscale's).

CLI: transition_reference.py TOKENS.h5 --vocab 500,1000 [--seed N] [--svd] -o OUT.json
"""

import argparse
import json
import math

import h5py
import numpy as np

NAMES = ("counts", "counts_sym", "counts_skew", "P", "P_sym", "P_skew")
GAMMA = np.uint64(0x9E3779B97F4A7C15)


def read_tokens(path):
    """(tokens int64, offsets int64 or None, vocab_size)."""
    with h5py.File(path, "r") as f:
        tokens = f["tokens"][()].astype(np.int64)
        offsets = f["document_offsets"][()].astype(np.int64) if "document_offsets" in f else None
        return tokens, offsets, int(f.attrs["vocab_size"])


def vocabulary(counts, v):
    """The v most frequent ids, most frequent first, ties by the smaller id."""
    ids = np.arange(len(counts))
    order = np.lexsort((ids, -counts))  # last key is primary
    return order[:v]


def splitmix64(seed, n):
    """Outputs 1..n of SplitMix64 seeded with `seed` (output s+1 for position s)."""
    with np.errstate(over="ignore"):
        state = np.uint64(seed) + (np.arange(1, n + 1, dtype=np.uint64) * GAMMA)
        z = state
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def null_stream(counts, length, seed):
    """Token s: r = z_{s+1} mod T, the smallest id t with Σ_{i≤t} c_i > r."""
    cumulative = np.cumsum(counts.astype(np.uint64))
    r = splitmix64(seed, length) % np.uint64(length)
    return np.searchsorted(cumulative, r, side="right").astype(np.int64)


def bigram_pairs(tokens, offsets):
    """(first, second) of every pair (t_s, t_{s+1}) with s+1 not a document offset."""
    keep = np.ones(len(tokens) - 1, dtype=bool)
    if offsets is not None:
        starts = offsets[(offsets >= 1) & (offsets <= len(tokens) - 1)]
        keep[starts - 1] = False
    return tokens[:-1][keep], tokens[1:][keep]


def count_matrix(first, second, vocab, max_id, v, sparse):
    index = np.full(max_id + 1, -1, dtype=np.int64)
    index[vocab[:v]] = np.arange(v)
    a, b = index[first], index[second]
    inside = (a >= 0) & (b >= 0)
    flat = np.bincount(a[inside] * v + b[inside], minlength=v * v)
    if not sparse:
        return flat.reshape(v, v).astype(np.float64)
    import scipy.sparse as sp
    nz = np.nonzero(flat)[0]
    return sp.csr_matrix((flat[nz].astype(np.float64), (nz // v, nz % v)), shape=(v, v))


def six_matrices(c):
    """C, (C+Cᵀ)/2, (C−Cᵀ)/2, P, (P+Pᵀ)/2, (P−Pᵀ)/2 (dense or SciPy sparse C)."""
    rowsum = np.asarray(c.sum(axis=1)).ravel()
    scale = np.zeros_like(rowsum)
    scale[rowsum > 0] = 1.0 / rowsum[rowsum > 0]
    if isinstance(c, np.ndarray):
        p = np.zeros_like(c)
        p[rowsum > 0] = c[rowsum > 0] / rowsum[rowsum > 0, None]
    else:
        import scipy.sparse as sp
        p = sp.diags(scale) @ c  # one multiplication by 1/rowsum: differs from c/rowsum by an ulp
        p = sp.csr_matrix(p)
    return [c, (c + c.T) / 2, (c - c.T) / 2, p, (p + p.T) / 2, (p - p.T) / 2], rowsum


def gram_pr(x):
    """‖X‖_F⁴/‖XᵀX‖_F², NaN for X = 0."""
    if isinstance(x, np.ndarray):
        fro2 = float(np.sum(x * x))
        g = x.T @ x
        gram2 = float(np.sum(g * g))
    else:
        fro2 = float(x.multiply(x).sum())
        g = (x.T @ x).tocsr()
        gram2 = float(np.sum(g.data * g.data))
    return fro2 * fro2 / gram2 if gram2 > 0 else math.nan


def loglog_slope(v, pr):
    """Least-squares slope of ln pr on ln V and its standard error (NaN when undefined)."""
    pts = [(math.log(a), math.log(b)) for a, b in zip(v, pr) if b is not None and math.isfinite(b) and b > 0]
    if len(pts) < 2:
        return math.nan, math.nan
    x = np.array([p[0] for p in pts])
    y = np.array([p[1] for p in pts])
    sxx = float(np.sum((x - x.mean()) ** 2))
    if sxx <= 0:
        return math.nan, math.nan
    slope = float(np.sum((x - x.mean()) * (y - y.mean())) / sxx)
    if len(pts) < 3:
        return slope, math.nan
    resid = y - y.mean() - slope * (x - x.mean())
    return slope, math.sqrt(float(np.sum(resid ** 2)) / (len(pts) - 2) / sxx)


def reference(path, vocab_sizes, seed=0, dense_max=2000, svd=False):
    """Every §4.7 number for the given V list (assumed valid), as a dict like transition_dump's JSON."""
    tokens, offsets, _ = read_tokens(path)
    counts = np.bincount(tokens)
    vocab = vocabulary(counts, max(vocab_sizes))
    streams = {"": tokens, "_null": null_stream(counts, len(tokens), seed)}
    rows = []
    for v in sorted(set(vocab_sizes)):
        row = {"vocab_size": v, "tokens": len(tokens)}
        for suffix, stream in streams.items():
            first, second = bigram_pairs(stream, offsets)
            c = count_matrix(first, second, vocab, len(counts) - 1, v, sparse=v > dense_max)
            mats, rowsum = six_matrices(c)
            if suffix == "":
                row["bigrams"] = int(rowsum.sum())
                row["dangling_rows"] = int(np.sum(rowsum == 0))
                if svd:
                    for name, m in zip(NAMES, mats):
                        row["sv_" + name] = np.linalg.svd(np.asarray(m), compute_uv=False).tolist()
            for name, m in zip(NAMES, mats):
                row["pr_" + name + suffix] = gram_pr(m)
        rows.append(row)
    slopes = {}
    for suffix in ("", "_null"):
        for name in NAMES:
            key = "pr_" + name + suffix
            s, e = loglog_slope([r["vocab_size"] for r in rows], [r[key] for r in rows])
            slopes[key] = {"slope": s, "stderr": e}
    return {"tokens": len(tokens), "distinct_tokens": int(np.count_nonzero(counts)),
            "documents": 0 if offsets is None else len(offsets), "rows": rows, "slopes": slopes}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tokens")
    parser.add_argument("--vocab", required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dense-max", type=int, default=2000)
    parser.add_argument("--svd", action="store_true")
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args()
    out = reference(args.tokens, [int(v) for v in args.vocab.split(",")], args.seed, args.dense_max, args.svd)
    with open(args.output, "w") as f:
        json.dump(out, f, indent=1, allow_nan=True)


if __name__ == "__main__":
    main()
