#!/usr/bin/python3
"""Efficient NumPy baseline of the ctscale fit stage (BENCHMARKS.md).

Computes the same numbers as the fit stage of ``ctscale-mpi`` (norms, R² for the K list
and the K rule, the permuted-column null, amplitude PR, compression and layer tables)
the way a competent NumPy user would: per matrix ONE GEMM of W (float64) against the
concatenation of every K setting's pseudo-inverse Φ⁺ᵀ and its permuted twin, and
residuals by the Gram identity ss_res = ‖w‖² − aᵀ(ΦᵀΦ)a (valid for the minimum-norm
least-squares solution, where Φa is the orthogonal projection of w onto range(Φ)).

It is a timing baseline, not the correctness oracle (that is
tests/reference/fit_reference.py), but its numbers agree with the oracle and
``--json`` writes them so that tests can check that.

Usage: fit_numpy.py CHECKPOINT [--k 4,8,16] [--k-rule max(8,cols/16)|none] [--json OUT]
Prints ``elapsed_s <seconds since interpreter start>``; whole-process time is what
bench/run_fit_bench.sh measures.
"""

import time

T0 = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402

import h5py  # noqa: E402
import numpy as np  # noqa: E402
from h5py import h5s, h5t  # noqa: E402

MASK64 = (1 << 64) - 1


# --------------------------------------------------------------------------- settings

def parse_k_rule(text):
    """'max(8,cols/16)' → (8, 16); 'none' → None."""
    if text.strip().lower() == "none":
        return None
    m = re.fullmatch(r"\s*max\(\s*(\d+)\s*,\s*cols\s*/\s*(\d+)\s*\)\s*", text)
    if not m:
        raise SystemExit(f"fit_numpy.py: bad --k-rule {text!r}")
    return int(m.group(1)), int(m.group(2))


def k_settings(cols, k_values, k_rule):
    """[(label, K)]: the list entries, then the rule max(A, cols // B)."""
    out = [(str(k), k) for k in k_values]
    if k_rule is not None:
        out.append(("rule", max(k_rule[0], cols // k_rule[1])))
    return out


# --------------------------------------------------------------------------- basis

def null_permutation(n, seed):
    """SplitMix64-driven Fisher–Yates permutation of docs/definitions.md §2."""
    state, perm = seed & MASK64, list(range(n))
    for i in range(n - 1, 0, -1):
        state = (state + 0x9E3779B97F4A7C15) & MASK64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        j = (z ^ (z >> 31)) % (i + 1)
        perm[i], perm[j] = perm[j], perm[i]
    return np.asarray(perm)


class Basis:
    """Everything a (cols, K) setting needs, formed once: Φ⁺ (K×n), its permuted twin
    (so that w[π]·Φ⁺ᵀ = w·Φ⁺_nullᵀ), the Gram matrix ΦᵀΦ and cond(Φ)."""

    def __init__(self, n, k, width, perm):
        x = np.arange(n) + 0.5
        mu = (np.arange(k) + 0.5) * n / k
        sigma = width * n / k
        phi = np.exp(-((x[:, None] - mu[None, :]) ** 2) / (2 * sigma * sigma))
        u, s, vt = np.linalg.svd(phi, full_matrices=False)
        keep = s > 1e-12 * s[0]
        self.pinv = (vt[keep].T / s[keep]) @ u[:, keep].T          # K × n
        inverse = np.empty_like(perm)
        inverse[perm] = np.arange(n)
        self.pinv_null = self.pinv[:, inverse]
        self.gram = phi.T @ phi
        self.cond = s[0] / s[-1] if s[-1] > 0 else math.inf


# --------------------------------------------------------------------------- reading

class Workspace:
    """Reusable buffers (grown on demand), so that each matrix does not fault in fresh
    pages for its raw, float64 and amplitude arrays — what an efficient NumPy user does."""

    def __init__(self):
        self.buffers = {}

    def get(self, key, shape, dtype):
        """A C-contiguous array of this shape and dtype backed by the buffer `key`."""
        count = int(np.prod(shape))
        buf = self.buffers.get(key)
        if buf is None or buf.dtype != np.dtype(dtype) or buf.size < count:
            buf = self.buffers[key] = np.empty(max(count, 1), dtype=dtype)
        return buf[:count].reshape(shape)


def read_matrix(dset, ws):
    """A dataset as float64 in the workspace; 16-bit words are converted here, not by
    HDF5 (slow, BENCHMARKS.md)."""
    tid = dset.id.get_type()
    size = tid.get_size()
    w = ws.get("w", dset.shape, np.float64)
    if size == 8:
        dset.read_direct(w)
        return w
    if size == 4:
        raw = ws.get("raw32", dset.shape, np.float32)
        dset.read_direct(raw)
        np.copyto(w, raw)
        return w
    raw = ws.get("raw16", dset.shape, np.uint16)
    dset.id.read(h5s.ALL, h5s.ALL, raw, mtype=tid)
    if tid.get_order() == h5t.ORDER_BE:
        raw.byteswap(inplace=True)
    if tid.get_ebias() == 127:                                     # bfloat16
        wide = ws.get("raw32u", dset.shape, np.uint32)
        np.copyto(wide, raw)
        wide <<= 16
        np.copyto(w, wide.view(np.float32))
    else:                                                          # IEEE half
        np.copyto(w, raw.view(np.float16))
    return w


# --------------------------------------------------------------------------- fitting

def amplitude_pr(a):
    """PR of the amplitude covariance eigenvalues; NaN for < 2 rows or C = 0."""
    m = a.shape[0]
    if m < 2:
        return math.nan
    c = a - a.mean(axis=0)
    cov = c.T @ c / (m - 1)
    if not cov.any():
        return math.nan
    eig = np.linalg.eigvalsh(cov)
    return float(eig.sum() ** 2 / (eig ** 2).sum())


def add_bases(bases, gemm_rhs, n, settings, width, perm):
    """Form the bases of every fitted setting of width n (bases[(n, K)]) and the
    right-hand side of the single GEMM, gemm_rhs[n] = [Φ⁺ᵀ, Φ⁺_nullᵀ] per setting, in order."""
    blocks = []
    for _, k in settings:
        if k <= n:
            if (n, k) not in bases:
                bases[(n, k)] = Basis(n, k, width, perm)
            blocks += [bases[(n, k)].pinv.T, bases[(n, k)].pinv_null.T]
    if blocks:
        gemm_rhs[n] = np.ascontiguousarray(np.concatenate(blocks, axis=1))


def fit_matrix(name, w, settings, bases, gemm_rhs, ws):
    """All K settings of one matrix from a single GEMM; returns fit dicts."""
    m, n = w.shape
    wsq = np.einsum("ij,ij->i", w, w)
    rowsum = w.sum(axis=1)
    ss_tot = wsq - rowsum * rowsum / n
    # exact equality only needs checking where ss_tot is at rounding level
    suspect = np.flatnonzero(ss_tot <= 1e-8 * wsq)
    defined = np.ones(m, dtype=bool)
    defined[suspect] = ~np.all(w[suspect] == w[suspect, :1], axis=1)
    rhs = gemm_rhs.get(n)
    amps = None
    if rhs is not None:
        amps = np.matmul(w, rhs, out=ws.get("amps", (m, rhs.shape[1]), np.float64))
    fits, off = [], 0
    tot = ss_tot[defined].sum()
    for label, k in settings:
        fit = {"name": name, "k_label": label, "k": k, "rows": m, "cols": n}
        if k > n:
            fit.update(status="skipped: K > cols", ss_res=0.0, ss_res_null=0.0, ss_tot=0.0)
            fits.append(fit)
            continue
        basis = bases[(n, k)]
        a, a_null = amps[:, off:off + k], amps[:, off + k:off + 2 * k]
        off += 2 * k
        ss_res = wsq - np.einsum("ij,ij->i", a @ basis.gram, a)
        ss_res_null = wsq - np.einsum("ij,ij->i", a_null @ basis.gram, a_null)
        r2 = 1.0 - ss_res[defined] / ss_tot[defined]
        res, res_null = ss_res[defined].sum(), ss_res_null[defined].sum()
        fit.update(
            status="ok", basis_cond=basis.cond, undefined_rows=int(m - defined.sum()),
            r2_mean=float(r2.mean()) if r2.size else math.nan,
            r2_median=float(np.median(r2)) if r2.size else math.nan,
            r2_pooled=1.0 - res / tot if r2.size else math.nan,
            r2_null_pooled=1.0 - res_null / tot if r2.size else math.nan,
            amplitude_pr=amplitude_pr(a), amplitude_pr_null=amplitude_pr(a_null),
            ss_res=res, ss_res_null=res_null, ss_tot=tot)
        fit["r2_excess"] = fit["r2_pooled"] - fit["r2_null_pooled"]
        fits.append(fit)
    return fits, float(wsq.sum())


# --------------------------------------------------------------------------- tables

def pearson(x, y):
    """Pearson r and two-sided p-value (Student t with n−2 dof, via the beta function)."""
    from scipy.special import betainc   # imported only when needed (import cost)
    n = len(x)
    if n < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return math.nan, math.nan
    xc, yc = x - x.mean(), y - y.mean()
    r = float(np.clip(xc @ yc / math.sqrt((xc @ xc) * (yc @ yc)), -1.0, 1.0))
    df = n - 2
    p = float(betainc(df / 2, 0.5, 1.0 - r * r)) if abs(r) < 1 else 0.0
    return r, p


def average_ranks(v):
    """Ranks 1..n with ties given their average rank (as Spearman requires)."""
    v = np.asarray(v)
    order = np.argsort(v, kind="stable")
    ranks = np.empty(len(v))
    sorted_v = v[order]
    i = 0
    while i < len(v):
        j = i
        while j + 1 < len(v) and sorted_v[j + 1] == sorted_v[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def model_tables(labels, fits, matrices, total_params):
    """Compression, amplitude PR and layer-norm tables (docs/definitions.md §3–5)."""
    compression, pr_table = [], []
    for label in labels:
        ok = [f for f in fits if f["k_label"] == label and f["status"] == "ok"]
        amp = sum(f["rows"] * f["k"] for f in ok)
        fitted = sum(f["rows"] * f["cols"] for f in ok)
        tot = sum(f["ss_tot"] for f in ok)
        compression.append({
            "k_label": label, "amplitude_params": amp, "fitted_params": fitted,
            "total_params": total_params,
            "compression_fitted": fitted / amp if amp else math.nan,
            "compression_total": total_params / amp if amp else math.nan,
            "r2_pooled": 1 - sum(f["ss_res"] for f in ok) / tot if tot > 0 else math.nan,
            "r2_null_pooled": 1 - sum(f["ss_res_null"] for f in ok) / tot if tot > 0 else math.nan})
        good = [f for f in ok if math.isfinite(f["amplitude_pr"])]
        pr = np.array([f["amplitude_pr"] for f in good])
        size = np.array([f["rows"] * f["cols"] for f in good], dtype=np.float64)
        null = [f["amplitude_pr_null"] for f in ok if math.isfinite(f["amplitude_pr_null"])]
        r, p = pearson(size, pr)
        pr_table.append({
            "k_label": label, "pr_mean": float(pr.mean()) if len(good) else math.nan,
            "pr_std": float(pr.std(ddof=1)) if len(good) >= 2 else math.nan,
            "n_matrices": len(good), "size_pr_pearson_r": r, "size_pr_p_value": p,
            "pr_null_mean": float(np.mean(null)) if null else math.nan})
    sumsq, params = {}, {}
    for mat in matrices:
        if mat["layer"] >= 0:
            sumsq[mat["layer"]] = sumsq.get(mat["layer"], 0.0) + mat["frobenius_norm"] ** 2
            params[mat["layer"]] = params.get(mat["layer"], 0) + mat["rows"] * mat["cols"]
    layers = sorted(sumsq)
    norms = np.sqrt([sumsq[l] for l in layers])
    layer_rows = [{"layer": l, "n_params": params[l], "layer_norm": float(x),
                   "norm_per_param": float(x) / params[l]} for l, x in zip(layers, norms)]
    rho = math.nan
    if len(layers) >= 2 and np.ptp(norms) > 0:
        rho = float(np.corrcoef(average_ranks(layers), average_ranks(norms))[0, 1])
    monotone = len(layers) >= 2 and bool(np.all(np.diff(norms) < 0))
    return compression, pr_table, layer_rows, rho, monotone


# --------------------------------------------------------------------------- driver

def run(path, k_values, k_rule, width, seed):
    """The whole fit stage over every 2-D dataset under /weights."""
    labels = [str(k) for k in k_values] + (["rule"] if k_rule else [])
    bases, gemm_rhs, perms, fits, matrices, ws = {}, {}, {}, [], [], Workspace()
    with h5py.File(path, "r") as f:
        group = f["weights"]
        datasets = [group[name] for name in sorted(group)]
        total_params = sum(d.size for d in datasets)
        for dset in datasets:
            if dset.ndim != 2:
                continue
            name = dset.name.rsplit("/", 1)[-1]
            w = read_matrix(dset, ws)
            m, n = w.shape
            settings = k_settings(n, k_values, k_rule)
            if n not in perms:
                perms[n] = null_permutation(n, seed)
                add_bases(bases, gemm_rhs, n, settings, width, perms[n])
            matrix_fits, sumsq = fit_matrix(name, w, settings, bases, gemm_rhs, ws)
            fits += matrix_fits
            fro = math.sqrt(sumsq)
            matrices.append({"name": name, "layer": int(dset.attrs.get("layer", -1)),
                             "rows": m, "cols": n, "frobenius_norm": fro,
                             "norm_per_param": fro / (m * n)})
    compression, pr_table, layers, rho, monotone = model_tables(labels, fits, matrices, total_params)
    return {"total_params": int(total_params), "matrices": matrices, "fits": fits,
            "compression": compression, "amplitude_pr": pr_table, "layer_norms": layers,
            "spearman_rho": rho, "monotone_decreasing": monotone}


def to_json(value):
    """NaN → null, numpy scalars → Python."""
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def main(argv=None):
    parser = argparse.ArgumentParser(description="NumPy baseline of the ctscale fit stage")
    parser.add_argument("checkpoint")
    parser.add_argument("--k", default="4,8,16", help="comma-separated K list")
    parser.add_argument("--k-rule", default="max(8,cols/16)", help="max(A,cols/B) or none")
    parser.add_argument("--width", type=float, default=1.0)
    parser.add_argument("--null-seed", type=int, default=0)
    parser.add_argument("--json", help="write the computed tables here")
    args = parser.parse_args(argv)
    k_values = [int(k) for k in args.k.split(",") if k.strip()]
    result = run(args.checkpoint, k_values, parse_k_rule(args.k_rule), args.width, args.null_seed)
    elapsed = time.perf_counter() - T0
    if args.json:
        for fit in result["fits"]:
            for key in ("rows", "cols", "ss_res", "ss_res_null", "ss_tot"):
                fit.pop(key, None)
        with open(args.json, "w") as out:
            json.dump(to_json(result), out, indent=1)
    print(f"elapsed_s {elapsed:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
