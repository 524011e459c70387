#!/usr/bin/python3
"""Independent NumPy/SciPy reference for the fit stage of ctscale (docs/definitions.md §1–5).

This module recomputes, straightforwardly and without any of the C++ program's
shortcuts, every number the fit stage of ``ctscale-mpi`` writes:

* per (matrix, K setting): row R², r2_mean / r2_median / r2_pooled, the permuted-column
  null baseline (r2_null_pooled, r2_excess, amplitude_pr_null), the amplitude covariance
  eigenvalues and amplitude_pr, basis_cond, undefined_rows, status;
* per matrix: frobenius_norm, norm_per_param;
* per layer: layer_norm, n_params, norm_per_param, Spearman rho, monotone_decreasing;
* per K setting: the compression table and the amplitude_pr table.

It is deliberately independent of the C++ algorithm: amplitudes come from
``numpy.linalg.lstsq`` (minimum-norm, rcond 1e-12 relative to σ_max) on the original
and on the explicitly permuted matrix, and residuals are formed directly as
``W − A·Φᵀ`` (not by the Gram identity the program uses).

Library use::

    ref = compute("ckpt.h5", [4, 8, 16], k_rule=(8, 16))
    ref.fits[("model.layers.0.mlp.up_proj.weight", "8")].r2_pooled

Command line (exit status 0 iff nothing mismatches)::

    fit_reference.py compare CHECKPOINT RESULTS [--rtol 1e-9] [--atol 1e-12]
    fit_reference.py compare-results A.h5 B.h5 [--rtol 1e-10]
    fit_reference.py compute CHECKPOINT [--k 4,8,16] [--k-rule RULE] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
from dataclasses import dataclass, field
from typing import Iterable, Optional

# OpenBLAS 0.3.21 does not recognise this CPU; the machine pins Haswell kernels
# (OPENBLAS_CORETYPE). Keep that when the variable is missing, before numpy loads OpenBLAS.
os.environ.setdefault("OPENBLAS_CORETYPE", "Haswell")

import h5py  # noqa: E402
import numpy as np  # noqa: E402
import scipy.stats  # noqa: E402
from h5py import h5s, h5t  # noqa: E402

MASK64 = (1 << 64) - 1
RCOND = 1e-12
SKIPPED_K_GT_COLS = "skipped: K > cols"


# ---------------------------------------------------------------------------------------
# SplitMix64 and the null permutation (docs/definitions.md §2)
# ---------------------------------------------------------------------------------------

class SplitMix64:
    """SplitMix64 on Python ints masked to 64 bits, exactly as written in docs/definitions.md §2."""

    def __init__(self, seed: int):
        self.state = int(seed) & MASK64

    def next(self) -> int:
        """Advance the state and return the next 64-bit output."""
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)


def null_permutation(n: int, seed: int) -> np.ndarray:
    """The column permutation π of docs/definitions.md §2: Fisher–Yates from i = n−1 down to 1,
    j = next() mod (i+1), swap π[i] and π[j]; starts from the identity."""
    rng = SplitMix64(seed)
    perm = list(range(n))
    for i in range(n - 1, 0, -1):
        j = rng.next() % (i + 1)
        perm[i], perm[j] = perm[j], perm[i]
    return np.asarray(perm, dtype=np.int64)


# ---------------------------------------------------------------------------------------
# Gaussian basis (docs/definitions.md §1)
# ---------------------------------------------------------------------------------------

def gaussian_basis(n: int, k: int, width: float) -> np.ndarray:
    """Φ (n×K): Φ[j,k] = exp(−(x_j − μ_k)²/(2σ²)), x_j = j+½, μ_k = (k+½)·n/K, σ = s·n/K."""
    x = np.arange(n, dtype=np.float64) + 0.5
    mu = (np.arange(k, dtype=np.float64) + 0.5) * n / k
    sigma = width * n / k
    return np.exp(-((x[:, None] - mu[None, :]) ** 2) / (2.0 * sigma * sigma))


def basis_condition(phi: np.ndarray) -> float:
    """σ_max/σ_min of Φ (inf if Φ is exactly singular)."""
    sv = np.linalg.svd(phi, compute_uv=False)
    return float(sv[0] / sv[-1]) if sv[-1] > 0 else math.inf


# ---------------------------------------------------------------------------------------
# Checkpoint reading
# ---------------------------------------------------------------------------------------

def float_kind(dset: h5py.Dataset) -> str:
    """Classify a dataset's stored float type as f32, f64, f16 or bf16 from its HDF5
    type fields (h5py alone cannot tell bfloat16 from other 16-bit floats)."""
    tid = dset.id.get_type()
    if tid.get_class() != h5t.FLOAT:
        raise ValueError(f"{dset.name}: not a floating-point dataset")
    size = tid.get_size()
    if size == 8:
        return "f64"
    if size == 4:
        return "f32"
    if size == 2:
        spos, epos, esize, mpos, msize = tid.get_fields()
        if (spos, epos, esize, mpos, msize) == (15, 10, 5, 0, 10) and tid.get_ebias() == 15:
            return "f16"
        if (spos, epos, esize, mpos, msize) == (15, 7, 8, 0, 7) and tid.get_ebias() == 127:
            return "bf16"
    raise ValueError(f"{dset.name}: unsupported float type (size {size})")


def read_raw_u16(dset: h5py.Dataset) -> np.ndarray:
    """The stored 16-bit words of a 16-bit float dataset, without HDF5 conversion."""
    tid = dset.id.get_type()
    order = ">" if tid.get_order() == h5t.ORDER_BE else "<"
    raw = np.empty(dset.shape, dtype=np.dtype(order + "u2"))
    if raw.size:
        dset.id.read(h5s.ALL, h5s.ALL, raw, mtype=tid)
    return raw.astype(np.uint16)


def bf16_to_f32(words: np.ndarray) -> np.ndarray:
    """bfloat16 words → float32 values: the word is the top half of a float32."""
    return (words.astype(np.uint32) << 16).view(np.float32)


def read_weight(dset: h5py.Dataset) -> tuple[np.ndarray, str]:
    """A weight dataset as float64 (exact widening of the stored values) and its dtype label."""
    kind = float_kind(dset)
    if kind == "bf16":
        values = bf16_to_f32(read_raw_u16(dset))
    elif kind == "f16":
        values = read_raw_u16(dset).view(np.float16)
    else:
        values = dset[()]
    return np.asarray(values, dtype=np.float64), kind


def attr_str(value) -> str:
    """Decode a string attribute/field written variable-length UTF-8 or fixed ASCII."""
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value[()]
    if isinstance(value, (bytes, np.bytes_)):
        value = value.decode("utf-8")
    return str(value).rstrip("\x00")


# ---------------------------------------------------------------------------------------
# Result containers
# ---------------------------------------------------------------------------------------

@dataclass
class MatrixRef:
    """Per-matrix facts and norms (docs/definitions.md §4)."""
    name: str
    layer: int
    kind: str
    rows: int
    cols: int
    dtype: str
    frobenius_norm: float
    norm_per_param: float

    @property
    def n_params(self) -> int:
        return self.rows * self.cols


@dataclass
class FitRef:
    """One (matrix, K setting) fit (docs/definitions.md §1–3). Metrics are NaN when skipped."""
    name: str
    k_label: str
    k: int
    status: str
    rows: int = 0
    cols: int = 0
    r2_mean: float = math.nan
    r2_median: float = math.nan
    r2_pooled: float = math.nan
    r2_null_pooled: float = math.nan
    r2_excess: float = math.nan
    amplitude_pr: float = math.nan
    amplitude_pr_null: float = math.nan
    basis_cond: float = math.nan
    undefined_rows: int = 0
    # sums over defined rows, for the pooled per-setting tables
    ss_res: float = math.nan
    ss_res_null: float = math.nan
    ss_tot: float = math.nan
    r2: Optional[np.ndarray] = None                 # per row, NaN for undefined rows
    eigenvalues: Optional[np.ndarray] = None        # descending
    eigenvalues_null: Optional[np.ndarray] = None
    amplitudes: Optional[np.ndarray] = None         # rows × K

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass
class Reference:
    """Everything the fit stage reports, keyed as in the results file."""
    k_values: list
    k_rule: Optional[tuple]
    width: float
    null_seed: int
    total_params: int
    labels: list                                     # K setting labels in report order
    matrices: dict = field(default_factory=dict)     # name -> MatrixRef
    fits: dict = field(default_factory=dict)         # (name, label) -> FitRef
    compression: dict = field(default_factory=dict)  # label -> dict
    amplitude_pr: dict = field(default_factory=dict)  # label -> dict
    layer_norms: list = field(default_factory=list)  # list of dict, ascending layer
    spearman_rho: float = math.nan
    monotone_decreasing: bool = False


# ---------------------------------------------------------------------------------------
# Per-matrix computations
# ---------------------------------------------------------------------------------------

def constant_rows(w: np.ndarray) -> np.ndarray:
    """Rows whose stored entries are all equal: their R² is undefined (docs/definitions.md §2)."""
    return np.all(w == w[:, :1], axis=1)


def least_squares_fit(w: np.ndarray, phi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Minimum-norm least-squares amplitudes of every row (rows × K) and the direct
    residual sums of squares ‖w − Φa‖² per row."""
    sol, _, _, _ = np.linalg.lstsq(phi, w.T, rcond=RCOND)
    amplitudes = sol.T
    residual = w - amplitudes @ phi.T
    return amplitudes, np.einsum("ij,ij->i", residual, residual)


def amplitude_spectrum(amplitudes: np.ndarray) -> tuple[np.ndarray, float]:
    """Eigenvalues (descending) of the amplitude covariance and its participation ratio
    (docs/definitions.md §3). Fewer than 2 rows: NaN eigenvalues and PR; zero covariance: PR NaN."""
    m, k = amplitudes.shape
    if m < 2:
        return np.full(k, math.nan), math.nan
    centred = amplitudes - amplitudes.mean(axis=0)
    cov = centred.T @ centred / (m - 1)
    eig = np.sort(np.linalg.eigvalsh(cov))[::-1]
    if not np.any(cov):
        return eig, math.nan
    return eig, float(eig.sum() ** 2 / np.sum(eig ** 2))


def r2_statistics(ss_res: np.ndarray, ss_tot: np.ndarray, defined: np.ndarray):
    """Per-row R² (NaN where undefined) and its mean, median and pooled value."""
    r2 = np.full(ss_res.shape, math.nan)
    r2[defined] = 1.0 - ss_res[defined] / ss_tot[defined]
    good = r2[defined]
    if good.size == 0:
        return r2, math.nan, math.nan, math.nan
    pooled = 1.0 - ss_res[defined].sum() / ss_tot[defined].sum()
    return r2, float(good.mean()), float(np.median(good)), float(pooled)


def fit_setting(name: str, label: str, k: int, w: np.ndarray, width: float,
                perm: np.ndarray, keep_amplitudes: bool) -> FitRef:
    """Fit one matrix at one K setting: amplitudes, R², null baseline, amplitude PR."""
    m, n = w.shape
    if k > n:
        return FitRef(name, label, k, SKIPPED_K_GT_COLS, rows=m, cols=n)
    phi = gaussian_basis(n, k, width)
    defined = ~constant_rows(w)
    centred = w - w.mean(axis=1, keepdims=True)
    ss_tot = np.einsum("ij,ij->i", centred, centred)

    amplitudes, ss_res = least_squares_fit(w, phi)
    r2, r2_mean, r2_median, r2_pooled = r2_statistics(ss_res, ss_tot, defined)
    eig, pr = amplitude_spectrum(amplitudes)

    amplitudes_null, ss_res_null = least_squares_fit(w[:, perm], phi)
    _, _, _, r2_null = r2_statistics(ss_res_null, ss_tot, defined)
    eig_null, pr_null = amplitude_spectrum(amplitudes_null)

    return FitRef(
        name, label, k, "ok", rows=m, cols=n,
        r2_mean=r2_mean, r2_median=r2_median, r2_pooled=r2_pooled,
        r2_null_pooled=r2_null, r2_excess=r2_pooled - r2_null,
        amplitude_pr=pr, amplitude_pr_null=pr_null,
        basis_cond=basis_condition(phi), undefined_rows=int(np.count_nonzero(~defined)),
        ss_res=float(ss_res[defined].sum()), ss_res_null=float(ss_res_null[defined].sum()),
        ss_tot=float(ss_tot[defined].sum()),
        r2=r2, eigenvalues=eig, eigenvalues_null=eig_null,
        amplitudes=amplitudes if keep_amplitudes else None)


def k_settings(cols: int, k_values: Iterable[int], k_rule: Optional[tuple]) -> list:
    """[(label, K)] for one matrix: every list entry, then the rule max(A, cols // B)."""
    settings = [(str(int(k)), int(k)) for k in k_values]
    if k_rule is not None:
        kmin, div = k_rule
        settings.append(("rule", max(int(kmin), cols // int(div))))
    return settings


# ---------------------------------------------------------------------------------------
# Model-level tables
# ---------------------------------------------------------------------------------------

def compression_row(label: str, fits: list, total_params: int) -> dict:
    """docs/definitions.md §5 for one K setting over the matrices fitted at it."""
    ok = [f for f in fits if f.ok]
    amplitude_params = sum(f.rows * f.k for f in ok)
    fitted_params = sum(f.rows * f.cols for f in ok)
    ss_tot = sum(f.ss_tot for f in ok)
    pooled = (lambda ss_res: 1.0 - ss_res / ss_tot) if ss_tot > 0 else (lambda ss_res: math.nan)
    return {
        "k_label": label,
        "amplitude_params": amplitude_params,
        "fitted_params": fitted_params,
        "total_params": total_params,
        "compression_fitted": fitted_params / amplitude_params if amplitude_params else math.nan,
        "compression_total": total_params / amplitude_params if amplitude_params else math.nan,
        "r2_pooled": pooled(sum(f.ss_res for f in ok)),
        "r2_null_pooled": pooled(sum(f.ss_res_null for f in ok)),
    }


def amplitude_pr_row(label: str, fits: list) -> dict:
    """docs/definitions.md §3 model level: over fitted matrices with a finite amplitude_pr."""
    ok = [f for f in fits if f.ok and math.isfinite(f.amplitude_pr)]
    pr = np.array([f.amplitude_pr for f in ok], dtype=np.float64)
    size = np.array([f.rows * f.cols for f in ok], dtype=np.float64)
    null = [f.amplitude_pr_null for f in fits if f.ok and math.isfinite(f.amplitude_pr_null)]
    r = p = math.nan
    if len(ok) >= 3 and np.ptp(pr) > 0 and np.ptp(size) > 0:
        r, p = (float(v) for v in scipy.stats.pearsonr(size, pr))
    return {
        "k_label": label,
        "pr_mean": float(pr.mean()) if len(ok) else math.nan,
        "pr_std": float(pr.std(ddof=1)) if len(ok) >= 2 else math.nan,
        "n_matrices": len(ok),
        "size_pr_pearson_r": r,
        "size_pr_p_value": p,
        "pr_null_mean": float(np.mean(null)) if null else math.nan,
    }


def layer_norm_table(matrices: dict) -> tuple[list, float, bool]:
    """docs/definitions.md §4 per-layer norms of the analysed matrices with layer ≥ 0, the Spearman
    rho of layer_norm against layer, and whether layer_norm strictly decreases."""
    sumsq, params = {}, {}
    for mat in matrices.values():
        if mat.layer >= 0:
            sumsq[mat.layer] = sumsq.get(mat.layer, 0.0) + mat.frobenius_norm ** 2
            params[mat.layer] = params.get(mat.layer, 0) + mat.n_params
    layers = sorted(sumsq)
    rows = [{"layer": l, "n_params": params[l], "layer_norm": math.sqrt(sumsq[l]),
             "norm_per_param": math.sqrt(sumsq[l]) / params[l]} for l in layers]
    if len(rows) < 2:
        return rows, math.nan, False
    norms = [r["layer_norm"] for r in rows]
    rho = math.nan
    if np.ptp(norms) > 0:
        rho = float(scipy.stats.spearmanr(layers, norms).correlation)
    monotone = all(b < a for a, b in zip(norms, norms[1:]))
    return rows, rho, monotone


# ---------------------------------------------------------------------------------------
# Whole-checkpoint computation
# ---------------------------------------------------------------------------------------

def weight_datasets(f: h5py.File) -> list:
    """Every dataset directly under /weights, in name order."""
    group = f["weights"]
    return [group[name] for name in sorted(group) if isinstance(group[name], h5py.Dataset)]


def compute(checkpoint_path: str, k_values, k_rule=(8, 16), width: float = 1.0,
            null_seed: int = 0, matrices_regex: Optional[str] = None,
            matrix_names: Optional[Iterable[str]] = None,
            keep_amplitudes: bool = False) -> Reference:
    """Recompute every fit-stage number of docs/definitions.md §1–5 for a checkpoint.

    k_values: the fixed K list (labels str(k)); k_rule: (Kmin, div) or None;
    matrices_regex: Python ``re.search`` filter on dataset names (ECMAScript in the C++);
    matrix_names: alternatively, the exact set of 2-D datasets to analyse.
    """
    k_values = [int(k) for k in k_values]
    labels = [str(k) for k in k_values] + (["rule"] if k_rule is not None else [])
    pattern = re.compile(matrices_regex) if matrices_regex else None
    wanted = set(matrix_names) if matrix_names is not None else None
    perms = {}
    with h5py.File(checkpoint_path, "r") as f:
        datasets = weight_datasets(f)
        ref = Reference(k_values, k_rule, float(width), int(null_seed),
                        total_params=int(sum(d.size for d in datasets)), labels=labels)
        for dset in datasets:
            name = dset.name.split("/")[-1]
            if dset.ndim != 2:
                continue
            if (pattern and not pattern.search(name)) or (wanted is not None and name not in wanted):
                continue
            w, dtype = read_weight(dset)
            rows, cols = w.shape
            fro = math.sqrt(float(np.sum(w * w)))
            ref.matrices[name] = MatrixRef(
                name, int(dset.attrs.get("layer", -1)), attr_str(dset.attrs.get("kind", "other")),
                rows, cols, dtype, fro, fro / (rows * cols))
            if cols not in perms:
                perms[cols] = null_permutation(cols, null_seed)
            for label, k in k_settings(cols, k_values, k_rule):
                ref.fits[(name, label)] = fit_setting(name, label, k, w, width, perms[cols],
                                                      keep_amplitudes)
    for label in labels:
        fits = [fit for (_, lab), fit in ref.fits.items() if lab == label]
        ref.compression[label] = compression_row(label, fits, ref.total_params)
        ref.amplitude_pr[label] = amplitude_pr_row(label, fits)
    ref.layer_norms, ref.spearman_rho, ref.monotone_decreasing = layer_norm_table(ref.matrices)
    return ref


# ---------------------------------------------------------------------------------------
# Reading results files
# ---------------------------------------------------------------------------------------

def parse_k_rule(text: str) -> Optional[tuple]:
    """'max(8,cols/16)' → (8, 16); 'none' → None."""
    text = text.strip()
    if text.lower() == "none":
        return None
    m = re.fullmatch(r"max\(\s*(\d+)\s*,\s*cols\s*/\s*(\d+)\s*\)", text)
    if not m:
        raise ValueError(f"unrecognised k_rule {text!r}")
    return int(m.group(1)), int(m.group(2))


def read_table(f: h5py.File, path: str) -> list:
    """A compound table as a list of dicts with strings decoded and numbers as Python."""
    if path not in f:
        return []
    data = f[path][()]
    out = []
    for rec in np.atleast_1d(data):
        row = {}
        for name in data.dtype.names:
            v = rec[name]
            if isinstance(v, (bytes, np.bytes_, str)) or (isinstance(v, np.ndarray) and v.dtype.kind in "SOU"):
                row[name] = attr_str(v)
            elif isinstance(v, np.floating):
                row[name] = float(v)
            elif isinstance(v, np.integer):
                row[name] = int(v)
            else:
                row[name] = v
        out.append(row)
    return out


REQUIRED_SETTINGS = ("k_values", "k_rule", "basis_width", "null_seed")


def run_settings(results_path: str) -> dict:
    """The fit settings recorded in a results file's root attributes (FORMATS.md);
    raises ValueError naming what is missing."""
    with h5py.File(results_path, "r") as f:
        a = f.attrs
        missing = [name for name in REQUIRED_SETTINGS if name not in a]
        if missing:
            raise ValueError(f"{results_path}: root attribute(s) missing: {', '.join(missing)}")
        if "summary/matrices" not in f:
            raise ValueError(f"{results_path}: /summary/matrices missing")
        names = [row["name"] for row in read_table(f, "summary/matrices")]
        has_amplitudes = any(k.startswith("amplitudes_k") for name in names
                             if f"matrices/{name}" in f for k in f[f"matrices/{name}"])
        return {
            "k_values": [int(k) for k in np.atleast_1d(a["k_values"])],
            "k_rule": parse_k_rule(attr_str(a["k_rule"])),
            "width": float(a["basis_width"]),
            "null_seed": int(a["null_seed"]),
            "matrix_names": names,
            "has_amplitudes": has_amplitudes,
        }


# ---------------------------------------------------------------------------------------
# Tolerance comparisons
# ---------------------------------------------------------------------------------------

class Comparator:
    """Counts comparisons and collects mismatch lines."""

    def __init__(self, rtol: float, atol: float):
        self.rtol, self.atol = rtol, atol
        self.compared = 0
        self.mismatches = []

    def report(self, table, row, fld, got, expected, note=""):
        self.mismatches.append(f"{table}\t{row}\t{fld}\tgot={got!r}\texpected={expected!r}{note}")

    def number(self, table, row, fld, got, expected, rtol=None, atol=None) -> bool:
        """|got − expected| ≤ rtol·|expected| + atol; NaN matches only NaN."""
        rtol = self.rtol if rtol is None else rtol
        atol = self.atol if atol is None else atol
        self.compared += 1
        try:
            g, e = float(got), float(expected)
        except (TypeError, ValueError):
            self.report(table, row, fld, got, expected, " (not a number)")
            return False
        if math.isnan(e) or math.isnan(g):
            ok = math.isnan(e) and math.isnan(g)
        elif math.isinf(e) or math.isinf(g):
            ok = g == e
        else:
            ok = abs(g - e) <= rtol * abs(e) + atol
        if not ok:
            self.report(table, row, fld, g, e)
        return ok

    def exact(self, table, row, fld, got, expected) -> bool:
        """Integers and strings must be equal."""
        self.compared += 1
        if got != expected:
            self.report(table, row, fld, got, expected)
            return False
        return True

    def array(self, table, row, fld, got, expected, rtol, atol, scale_by_max=False) -> bool:
        """Elementwise comparison of arrays; with scale_by_max the relative part of the
        tolerance is taken against max|expected| (for eigenvalues and amplitudes)."""
        got = np.asarray(got, dtype=np.float64)
        expected = np.asarray(expected, dtype=np.float64)
        self.compared += 1
        if got.shape != expected.shape:
            self.report(table, row, fld, f"shape {got.shape}", f"shape {expected.shape}")
            return False
        finite = np.isfinite(expected)
        scale = np.max(np.abs(expected[finite])) if scale_by_max and finite.any() else None
        tol = rtol * (scale if scale is not None else np.abs(expected)) + atol
        nan_ok = np.isnan(got) == np.isnan(expected)
        with np.errstate(invalid="ignore"):
            close = np.where(np.isnan(expected), True, np.abs(got - expected) <= tol)
            close |= np.isinf(expected) & (got == expected)
        bad = np.flatnonzero(~(nan_ok & close))
        if bad.size:
            i = int(bad[0])
            self.report(table, row, fld, float(got.flat[i]), float(expected.flat[i]),
                        f" (first of {bad.size} bad elements, at index {i})")
            return False
        return True


# ---------------------------------------------------------------------------------------
# compare: checkpoint + results file against the reference
# ---------------------------------------------------------------------------------------

FIT_FLOAT_FIELDS = ("r2_mean", "r2_median", "r2_pooled", "r2_null_pooled", "r2_excess",
                    "amplitude_pr", "amplitude_pr_null", "basis_cond", "ss_res", "ss_tot", "ss_res_null")


def index_rows(cmp: Comparator, table: str, rows: list, key) -> dict:
    """Rows keyed by key(row); duplicate keys are mismatches."""
    out = {}
    for row in rows:
        k = key(row)
        if k in out:
            cmp.report(table, k, "(row)", "duplicate", "unique")
        out[k] = row
    return out


def check_keys(cmp: Comparator, table: str, got: dict, expected: dict):
    """Missing and unexpected rows are mismatches."""
    cmp.compared += 1
    for k in sorted(set(expected) - set(got), key=str):
        cmp.report(table, k, "(row)", "missing", "present")
    for k in sorted(set(got) - set(expected), key=str):
        cmp.report(table, k, "(row)", "present", "absent (not expected)")


def compare_matrices(cmp: Comparator, f: h5py.File, ref: Reference):
    rows = index_rows(cmp, "summary/matrices", read_table(f, "summary/matrices"), lambda r: r["name"])
    check_keys(cmp, "summary/matrices", rows, ref.matrices)
    for name, mat in ref.matrices.items():
        row = rows.get(name)
        if row is None:
            continue
        t = "summary/matrices"
        for fld in ("layer", "kind", "rows", "cols", "n_params", "dtype"):
            if fld in row:
                cmp.exact(t, name, fld, row[fld], getattr(mat, fld))
        cmp.number(t, name, "frobenius_norm", row.get("frobenius_norm"), mat.frobenius_norm)
        cmp.number(t, name, "norm_per_param", row.get("norm_per_param"), mat.norm_per_param)


def compare_fits(cmp: Comparator, f: h5py.File, ref: Reference):
    t = "summary/fits"
    rows = index_rows(cmp, t, read_table(f, t), lambda r: (r["name"], r["k_label"]))
    check_keys(cmp, t, rows, ref.fits)
    for key, fit in ref.fits.items():
        row = rows.get(key)
        if row is None:
            continue
        cmp.exact(t, key, "k", row.get("k"), fit.k)
        if not fit.ok:
            compare_skipped(cmp, f, fit, row)
            continue
        cmp.exact(t, key, "status", row.get("status"), "ok")
        for fld in FIT_FLOAT_FIELDS:
            cmp.number(t, key, fld, row.get(fld), getattr(fit, fld))
        cmp.exact(t, key, "undefined_rows", row.get("undefined_rows"), fit.undefined_rows)
        compare_matrix_datasets(cmp, f, fit)


def compare_skipped(cmp: Comparator, f: h5py.File, fit: FitRef, row: dict):
    """A skipped setting: status says why ("skipped: ..."), metrics are NaN and no
    per-row datasets exist for it."""
    key = (fit.name, fit.k_label)
    status = row.get("status", "")
    cmp.compared += 1
    if not status.startswith("skipped"):
        cmp.report("summary/fits", key, "status", status, fit.status)
    for fld in FIT_FLOAT_FIELDS:
        cmp.number("summary/fits", key, fld, row.get(fld), math.nan)
    for prefix in ("r2_k", "amplitude_eigenvalues_k", "amplitudes_k"):
        path = f"matrices/{fit.name}/{prefix}{fit.k_label}"
        cmp.compared += 1
        if path in f:
            cmp.report(path, fit.name, "(dataset)", "present", "absent (setting skipped)")


def compare_matrix_datasets(cmp: Comparator, f: h5py.File, fit: FitRef):
    """/matrices/<name>/r2_k<K> (float32) and amplitude_eigenvalues_k<K>."""
    group = f"matrices/{fit.name}"
    r2_path = f"{group}/r2_k{fit.k_label}"
    eig_path = f"{group}/amplitude_eigenvalues_k{fit.k_label}"
    for path in (r2_path, eig_path):
        if path not in f:
            cmp.compared += 1
            cmp.report(path, fit.name, "(dataset)", "missing", "present")
    if r2_path in f:
        expected = fit.r2.astype(np.float32).astype(np.float64)
        cmp.array(r2_path, fit.name, "r2", f[r2_path][()], expected, rtol=1e-6, atol=1e-7)
    if eig_path in f:
        cmp.array(eig_path, fit.name, "eigenvalues", f[eig_path][()], fit.eigenvalues,
                  rtol=cmp.rtol, atol=cmp.atol, scale_by_max=True)
    amp_path = f"{group}/amplitudes_k{fit.k_label}"
    if amp_path in f and fit.amplitudes is not None:
        cmp.array(amp_path, fit.name, "amplitudes", f[amp_path][()], fit.amplitudes,
                  rtol=cmp.rtol, atol=cmp.atol, scale_by_max=True)


def compare_label_table(cmp: Comparator, f: h5py.File, table: str, expected: dict):
    """summary/compression and summary/amplitude_pr: one row per K label."""
    rows = index_rows(cmp, table, read_table(f, table), lambda r: r["k_label"])
    check_keys(cmp, table, rows, expected)
    for label, exp in expected.items():
        row = rows.get(label)
        if row is None:
            continue
        for fld, value in exp.items():
            if fld == "k_label":
                continue
            if isinstance(value, int):
                cmp.exact(table, label, fld, row.get(fld), value)
            else:
                cmp.number(table, label, fld, row.get(fld), value)


def compare_layer_norms(cmp: Comparator, f: h5py.File, ref: Reference):
    t = "summary/layer_norms"
    rows = index_rows(cmp, t, read_table(f, t), lambda r: r["layer"])
    expected = {r["layer"]: r for r in ref.layer_norms}
    check_keys(cmp, t, rows, expected)
    for layer, exp in expected.items():
        row = rows.get(layer)
        if row is None:
            continue
        cmp.exact(t, layer, "n_params", row.get("n_params"), exp["n_params"])
        cmp.number(t, layer, "layer_norm", row.get("layer_norm"), exp["layer_norm"])
        cmp.number(t, layer, "norm_per_param", row.get("norm_per_param"), exp["norm_per_param"])
    attrs = f[t].attrs if t in f else {}
    cmp.number(t, "(attrs)", "spearman_rho", attrs.get("spearman_rho", "missing"), ref.spearman_rho)
    got_mono = attrs.get("monotone_decreasing", "missing")
    cmp.exact(t, "(attrs)", "monotone_decreasing",
              bool(got_mono) if got_mono != "missing" else got_mono, ref.monotone_decreasing)


def compare(checkpoint_path: str, results_path: str, rtol: float = 1e-9, atol: float = 1e-12,
            ref: Optional[Reference] = None) -> Comparator:
    """Recompute the reference with the results file's settings and compare every fit-stage
    field. Returns the Comparator (its .mismatches are empty iff everything agrees)."""
    if ref is None:
        s = run_settings(results_path)
        ref = compute(checkpoint_path, s["k_values"], s["k_rule"], s["width"], s["null_seed"],
                      matrix_names=s["matrix_names"], keep_amplitudes=s["has_amplitudes"])
    cmp = Comparator(rtol, atol)
    with h5py.File(results_path, "r") as f:
        cmp.compared += 1
        if not ref.matrices:
            cmp.report("summary/matrices", "", "(rows)", "none", "at least one analysed matrix")
        if "total_params" in f.attrs:
            cmp.exact("/", "(attrs)", "total_params", int(f.attrs["total_params"]), ref.total_params)
        compare_matrices(cmp, f, ref)
        compare_fits(cmp, f, ref)
        compare_label_table(cmp, f, "summary/compression", ref.compression)
        compare_label_table(cmp, f, "summary/amplitude_pr", ref.amplitude_pr)
        compare_layer_norms(cmp, f, ref)
    return cmp


# ---------------------------------------------------------------------------------------
# compare-results: two results files (rank invariance)
# ---------------------------------------------------------------------------------------

PROVENANCE_ATTRS = ("created_utc", "command_line", "mpi_ranks", "working_ranks", "peak_rss_bytes")
TABLE_KEYS = {
    "summary/matrices": ("name",),
    "summary/fits": ("name", "k_label"),
    "summary/compression": ("k_label",),
    "summary/amplitude_pr": ("k_label",),
    "summary/layer_norms": ("layer",),
    "transition/summary": ("vocab_size",),
}
# Fields that legitimately change with the rank count (docs/definitions.md §8: grids and groups change).
IGNORED_FIELDS = ("grid", "spectral_method")
# Spectral fields follow the reference tolerances of docs/definitions.md §8, not the 1e-10 of the fit stage.
SPECTRAL_RTOL = {
    "pr_sv": 1e-8, "spectral_norm": 1e-8, "stable_rank": 1e-8,
    "effective_rank": 1e-6, "nuclear_norm": 1e-6, "log_spectral_norm": 1e-6,
    "mp_softrank": 1e-6, "n_spikes": 0.0,
    "alpha": 1e-5, "alpha_ks": 1e-5, "alpha_tail": 0.0, "alpha_weighted": 1e-5,
}


def is_provenance(name: str, extra: Iterable[str]) -> bool:
    return name in PROVENANCE_ATTRS or name.startswith("time_") or name in extra


def collect(f: h5py.File) -> dict:
    """path → h5py object for every group and dataset in a file (root is '/')."""
    items = {"/": f}
    f.visititems(lambda name, obj: items.__setitem__(name, obj))
    return items


def attr_value(v):
    """Attribute to a comparable Python value: str, list of float, or float."""
    if isinstance(v, (bytes, np.bytes_, str)):
        return attr_str(v)
    arr = np.asarray(v)
    if arr.dtype.kind in "SOU":
        return [attr_str(x) for x in arr.ravel()] if arr.shape else attr_str(arr)
    return arr.astype(np.float64)


def compare_attrs(cmp: Comparator, path: str, a, b, ignore: Iterable[str]):
    names = set(a.keys()) | set(b.keys())
    for name in sorted(names):
        if path == "/" and is_provenance(name, ignore):
            continue
        if name not in a or name not in b:
            cmp.compared += 1
            cmp.report(path, "(attrs)", name, "present" if name in a else "missing",
                       "present" if name in b else "missing")
            continue
        va, vb = attr_value(a[name]), attr_value(b[name])
        if isinstance(vb, np.ndarray) and isinstance(va, np.ndarray):
            cmp.array(path, "(attrs)", name, va, vb, cmp.rtol, cmp.atol)
        else:
            cmp.exact(path, "(attrs)", name, va, vb)


def compare_compound(cmp: Comparator, path: str, da: h5py.Dataset, db: h5py.Dataset,
                     skip_fields: Iterable[str]):
    """Two compound tables row by row (keyed), field by field."""
    key_fields = TABLE_KEYS.get(path)
    fa, fb = read_table(da.file, path), read_table(db.file, path)
    key = (lambda r: tuple(r[k] for k in key_fields)) if key_fields else None
    if key is None:
        ra = dict(enumerate(fa))
        rb = dict(enumerate(fb))
    else:
        ra, rb = index_rows(cmp, path, fa, key), index_rows(cmp, path, fb, key)
    check_keys(cmp, path, ra, rb)
    fields = set(da.dtype.names) | set(db.dtype.names)
    for k in rb:
        if k not in ra:
            continue
        for fld in sorted(fields):
            if fld in IGNORED_FIELDS or fld in skip_fields:
                continue
            ga, gb = ra[k].get(fld, "missing"), rb[k].get(fld, "missing")
            if isinstance(gb, float) or isinstance(ga, float):
                cmp.number(path, k, fld, ga, gb, rtol=SPECTRAL_RTOL.get(fld, cmp.rtol))
            else:
                cmp.exact(path, k, fld, ga, gb)


def compare_plain(cmp: Comparator, path: str, da: h5py.Dataset, db: h5py.Dataset):
    """Two numeric datasets elementwise, with tolerances suited to what they hold."""
    a, b = da[()], db[()]
    name = path.rsplit("/", 1)[-1]
    if b.dtype.kind not in "fiu" or a.dtype.kind not in "fiu":
        cmp.exact(path, "", "(value)", np.asarray(a).tolist(), np.asarray(b).tolist())
        return
    rtol, scale = cmp.rtol, False
    if name.startswith("amplitude_eigenvalues") or name.startswith("amplitudes"):
        scale = True
    elif name == "singular_values" or path.startswith("transition/") and "/V" in path:
        rtol, scale = 1e-6, True                  # docs/definitions.md §6: |σ − σ_ref| ≤ 1e-6·σ₁
    if a.dtype == np.float32 or b.dtype == np.float32:
        rtol = max(rtol, 2.0 ** -22)              # one float32 rounding may flip a last bit
    cmp.array(path, "", name, a, b, rtol, cmp.atol, scale_by_max=scale)


def compare_results(path_a: str, path_b: str, rtol: float = 1e-10, atol: float = 1e-12,
                    ignore_attrs: Iterable[str] = (), skip_fields: Iterable[str] = ()) -> Comparator:
    """Compare every table, dataset and attribute of two results files (A against B),
    ignoring provenance (created_utc, command_line, mpi_ranks, time_*)."""
    cmp = Comparator(rtol, atol)
    with h5py.File(path_a, "r") as fa, h5py.File(path_b, "r") as fb:
        ia, ib = collect(fa), collect(fb)
        check_keys(cmp, "(objects)", ia, ib)
        for path in sorted(set(ia) & set(ib)):
            oa, ob = ia[path], ib[path]
            compare_attrs(cmp, path, oa.attrs, ob.attrs, ignore_attrs)
            if isinstance(ob, h5py.Dataset) and isinstance(oa, h5py.Dataset):
                if ob.dtype.names:
                    compare_compound(cmp, path, oa, ob, skip_fields)
                else:
                    compare_plain(cmp, path, oa, ob)
    return cmp


# ---------------------------------------------------------------------------------------
# Writing a results file from the reference (for self-tests and as an oracle file)
# ---------------------------------------------------------------------------------------

STR = h5py.string_dtype("utf-8")
SPECTRAL_FIELDS = ("pr_sv", "spectral_norm", "stable_rank", "effective_rank", "nuclear_norm",
                   "alpha", "alpha_ks", "alpha_tail", "alpha_weighted", "log_spectral_norm",
                   "mp_edge", "n_spikes", "mp_softrank")


def write_table(f: h5py.File, path: str, columns: list, rows: list):
    """Write a compound table; columns = [(field, dtype)], rows = list of tuples."""
    dtype = np.dtype([(name, dt) for name, dt in columns])
    data = np.empty(len(rows), dtype=dtype)
    for i, row in enumerate(rows):
        data[i] = row
    return f.create_dataset(path, data=data)


def write_results(ref: Reference, path: str, extra_attrs: Optional[dict] = None):
    """A ctscale.results v1 file holding the reference's fit-stage numbers
    (spectral fields NaN, spectral_mode 'none')."""
    with h5py.File(path, "w") as f:
        rule = "none" if ref.k_rule is None else f"max({ref.k_rule[0]},cols/{ref.k_rule[1]})"
        attrs = {"schema": "ctscale.results", "schema_version": 1, "ctscale_version": "reference",
                 "created_utc": "1970-01-01T00:00:00Z", "command_line": "fit_reference.py",
                 "mpi_ranks": 1, "total_params": ref.total_params,
                 "k_values": np.asarray(ref.k_values, dtype=np.int64), "k_rule": rule,
                 "basis_width": ref.width, "null_seed": np.uint64(ref.null_seed),
                 "spectral_mode": "none"}
        attrs.update(extra_attrs or {})
        for k, v in attrs.items():
            f.attrs[k] = v
        write_table(f, "summary/matrices",
                    [("name", STR), ("layer", np.int32), ("kind", STR), ("rows", np.int64),
                     ("cols", np.int64), ("n_params", np.int64), ("dtype", STR),
                     ("frobenius_norm", np.float64), ("norm_per_param", np.float64)]
                    + [(s, np.float64) for s in SPECTRAL_FIELDS]
                    + [("spectral_method", STR), ("grid", STR)],
                    [(m.name, m.layer, m.kind, m.rows, m.cols, m.n_params, m.dtype,
                      m.frobenius_norm, m.norm_per_param) + (math.nan,) * len(SPECTRAL_FIELDS)
                     + ("none", "") for m in ref.matrices.values()])
        write_table(f, "summary/fits",
                    [("name", STR), ("k_label", STR), ("k", np.int32), ("status", STR)]
                    + [(s, np.float64) for s in FIT_FLOAT_FIELDS] + [("undefined_rows", np.int64)],
                    [(x.name, x.k_label, x.k, x.status) + tuple(getattr(x, s) for s in FIT_FLOAT_FIELDS)
                     + (x.undefined_rows,) for x in ref.fits.values()])
        comp_cols = [("k_label", STR), ("amplitude_params", np.int64), ("fitted_params", np.int64),
                     ("total_params", np.int64), ("compression_fitted", np.float64),
                     ("compression_total", np.float64), ("r2_pooled", np.float64),
                     ("r2_null_pooled", np.float64)]
        write_table(f, "summary/compression", comp_cols,
                    [tuple(r[c] for c, _ in comp_cols) for r in ref.compression.values()])
        pr_cols = [("k_label", STR), ("pr_mean", np.float64), ("pr_std", np.float64),
                   ("n_matrices", np.int64), ("size_pr_pearson_r", np.float64),
                   ("size_pr_p_value", np.float64), ("pr_null_mean", np.float64)]
        write_table(f, "summary/amplitude_pr", pr_cols,
                    [tuple(r[c] for c, _ in pr_cols) for r in ref.amplitude_pr.values()])
        ln_cols = [("layer", np.int32), ("n_params", np.int64), ("layer_norm", np.float64),
                   ("norm_per_param", np.float64)]
        ln = write_table(f, "summary/layer_norms", ln_cols,
                         [tuple(r[c] for c, _ in ln_cols) for r in ref.layer_norms])
        ln.attrs["spearman_rho"] = ref.spearman_rho
        ln.attrs["monotone_decreasing"] = np.int8(ref.monotone_decreasing)
        for fit in ref.fits.values():
            if fit.ok:
                g = f.require_group(f"matrices/{fit.name}")
                g.create_dataset(f"r2_k{fit.k_label}", data=fit.r2.astype(np.float32))
                g.create_dataset(f"amplitude_eigenvalues_k{fit.k_label}", data=fit.eigenvalues)


# ---------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------

def reference_summary(ref: Reference) -> dict:
    """The reference's tables as JSON-friendly dicts (per-row arrays left out)."""
    def clean(v):
        return None if isinstance(v, float) and math.isnan(v) else v
    fits = []
    for fit in ref.fits.values():
        fits.append({"name": fit.name, "k_label": fit.k_label, "k": fit.k, "status": fit.status,
                     **{s: clean(getattr(fit, s)) for s in FIT_FLOAT_FIELDS},
                     "undefined_rows": fit.undefined_rows})
    return {
        "total_params": ref.total_params,
        "matrices": [{k: clean(v) for k, v in vars(m).items()} for m in ref.matrices.values()],
        "fits": fits,
        "compression": [{k: clean(v) for k, v in r.items()} for r in ref.compression.values()],
        "amplitude_pr": [{k: clean(v) for k, v in r.items()} for r in ref.amplitude_pr.values()],
        "layer_norms": ref.layer_norms,
        "spearman_rho": clean(ref.spearman_rho),
        "monotone_decreasing": ref.monotone_decreasing,
    }


def print_outcome(cmp: Comparator) -> int:
    for line in cmp.mismatches:
        print(line)
    print(f"{cmp.compared} compared, {len(cmp.mismatches)} mismatches")
    return 0 if not cmp.mismatches else 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("compare", help="recompute from CHECKPOINT and compare RESULTS")
    p.add_argument("checkpoint")
    p.add_argument("results")
    p.add_argument("--rtol", type=float, default=1e-9)
    p.add_argument("--atol", type=float, default=1e-12)
    p = sub.add_parser("compare-results", help="compare two results files (rank invariance)")
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--rtol", type=float, default=1e-10)
    p.add_argument("--atol", type=float, default=1e-12)
    p.add_argument("--ignore-attr", action="append", default=[],
                   help="also ignore this root attribute (repeatable)")
    p.add_argument("--skip-field", action="append", default=[],
                   help="do not compare this table field (repeatable)")
    p = sub.add_parser("compute", help="print the reference tables as JSON")
    p.add_argument("checkpoint")
    p.add_argument("--k", default="4,8,16")
    p.add_argument("--k-rule", default="max(8,cols/16)")
    p.add_argument("--width", type=float, default=1.0)
    p.add_argument("--null-seed", type=int, default=0)
    p.add_argument("--matrices", default=None)
    p.add_argument("--json", default="-", help="output file ('-' for stdout)")
    p.add_argument("--write-results", default=None,
                   help="also write a ctscale.results file of the reference values")
    args = parser.parse_args(argv)

    if args.command == "compare":
        try:
            cmp = compare(args.checkpoint, args.results, args.rtol, args.atol)
        except (OSError, KeyError, ValueError) as err:
            print(f"fit_reference.py: {err}", file=sys.stderr)
            return 1
        return print_outcome(cmp)
    if args.command == "compare-results":
        return print_outcome(compare_results(args.a, args.b, args.rtol, args.atol,
                                             args.ignore_attr, args.skip_field))
    k_values = [int(k) for k in args.k.split(",") if k.strip()]
    ref = compute(args.checkpoint, k_values, parse_k_rule(args.k_rule), args.width,
                  args.null_seed, args.matrices)
    text = json.dumps(reference_summary(ref), indent=1)
    if args.json == "-":
        print(text)
    else:
        with open(args.json, "w") as out:
            out.write(text + "\n")
    if args.write_results:
        write_results(ref, args.write_results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
