"""Statistics of the scaling report: power laws by least squares on logarithms, their
bootstrap intervals, correlations. Definitions: docs/method.md, "The scaling report"."""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

import numpy as np
from scipy import stats as sps

NAN = math.nan
# A percentile interval from fewer resampling units than this is the range of a handful of
# slopes (3 points give 3 distinct values); below it the interval is NaN.
MIN_INTERVAL_UNITS = 5


@dataclass
class PowerLaw:
    """y = a·x^b fitted as the OLS line of ln y on ln x; interval by percentile bootstrap."""

    exponent: float = NAN       # b
    intercept: float = NAN      # ln a
    stderr: float = NAN         # OLS standard error of b, n − 2 degrees of freedom
    r_squared: float = NAN      # of the log–log line
    ci_low: float = NAN
    ci_high: float = NAN
    n: int = 0                  # points fitted
    n_dropped: int = 0          # points left out: x or y not finite, or ≤ 0 (no logarithm)
    n_boot: int = 0             # bootstrap resamples with a defined slope
    status: str = "ok"          # or "not enough data: ..."

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def ols(lx: np.ndarray, ly: np.ndarray):
    """Slope, intercept, slope standard error and R² of the least-squares line of ly on lx."""
    n = len(lx)
    mx, my = lx.mean(), ly.mean()
    sxx = float(((lx - mx) ** 2).sum())
    sxy = float(((lx - mx) * (ly - my)).sum())
    slope = sxy / sxx
    intercept = my - slope * mx
    resid = ly - (intercept + slope * lx)
    ss_res = float((resid ** 2).sum())
    ss_tot = float(((ly - my) ** 2).sum())
    stderr = math.sqrt(ss_res / (n - 2) / sxx) if n > 2 else NAN
    r2 = 1.0 - ss_res / ss_tot if ss_tot > 0 else NAN
    return slope, intercept, stderr, r2


def batch_slopes(lx: np.ndarray, ly: np.ndarray) -> np.ndarray:
    """OLS slopes of each row of ly on the same row of lx (2-D arrays, one resample a row);
    NaN where a row's x has no spread."""
    mx = lx.mean(axis=1, keepdims=True)
    my = ly.mean(axis=1, keepdims=True)
    sxx = ((lx - mx) ** 2).sum(axis=1)
    sxy = ((lx - mx) * (ly - my)).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        slopes = sxy / sxx
    slopes[sxx <= 1e-12 * np.maximum(1.0, (lx ** 2).sum(axis=1))] = NAN
    return slopes


def percentile_interval(samples: np.ndarray, level: float = 0.95):
    finite = samples[np.isfinite(samples)]
    if len(finite) < 2:
        return NAN, NAN, len(finite)
    tail = (1.0 - level) / 2.0 * 100.0
    low, high = np.percentile(finite, [tail, 100.0 - tail])
    return float(low), float(high), len(finite)


def stratified_indices(strata: Sequence[np.ndarray], n_boot: int, rng: np.random.Generator):
    """n_boot resamples: from each stratum (an array of point indices) as many points as it
    holds, drawn with replacement. Returns an (n_boot, Σ|stratum|) index array."""
    parts = [s[rng.integers(0, len(s), size=(n_boot, len(s)))] for s in strata if len(s)]
    return np.concatenate(parts, axis=1)


def fit_power_law(x, y, *, min_points: int = 3, n_boot: int = 2000, seed: int = 0,
                  strata: Optional[Sequence[np.ndarray]] = None,
                  resample: Optional[Callable] = None) -> PowerLaw:
    """Power law of y on x over the points with x > 0 and y > 0 (the others are counted in
    n_dropped).

    The bootstrap resamples points with replacement: within each stratum of `strata`
    (index arrays into x; default one stratum of all points). When the points are
    themselves pooled from parts (a model's pooled R² from its matrices), `resample(rng,
    n_boot, usable)` draws the parts itself and returns the (n_boot, n) arrays of x and y of
    the usable points. No interval from fewer than MIN_INTERVAL_UNITS points.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    usable = np.isfinite(x) & np.isfinite(y) & (x > 0) & (y > 0)
    n = int(usable.sum())
    dropped = len(x) - n
    if n < min_points or len(np.unique(x[usable])) < 2:
        distinct = len(np.unique(x[usable]))
        return PowerLaw(n=n, n_dropped=dropped,
                        status=f"not enough data: {n} point(s) with x, y > 0 and {distinct} distinct x "
                               f"(a fit needs {min_points} and 2)")
    lx, ly = np.log(x[usable]), np.log(y[usable])
    slope, intercept, stderr, r2 = ols(lx, ly)
    fit = PowerLaw(exponent=slope, intercept=intercept, stderr=stderr, r_squared=r2, n=n, n_dropped=dropped)
    if n_boot <= 0 or n < MIN_INTERVAL_UNITS:
        return fit
    rng = np.random.default_rng(seed)
    if resample is None:
        index = np.flatnonzero(usable)
        groups = [np.intersect1d(s, index) for s in strata] if strata is not None else [index]
        idx = stratified_indices(groups, n_boot, rng)
        bx, by = np.log(x[idx]), np.log(y[idx])
        bad = np.zeros(n_boot, dtype=bool)
    else:
        bx, by = resample(rng, n_boot, usable)
        bad = ~((bx > 0) & (by > 0) & np.isfinite(bx) & np.isfinite(by)).all(axis=1)
        bx = np.log(np.where(bad[:, None], 1.0, bx))   # a resample with a point y ≤ 0 has no slope
        by = np.log(np.where(bad[:, None], 1.0, by))
    slopes = batch_slopes(bx, by)
    slopes[bad] = NAN
    fit.ci_low, fit.ci_high, fit.n_boot = percentile_interval(slopes)
    return fit


def finite_pairs(x, y):
    x, y = np.asarray(x, float), np.asarray(y, float)
    keep = np.isfinite(x) & np.isfinite(y)
    return x[keep], y[keep]


def pearson(x, y):
    """Pearson r and its two-sided p-value (Student t, n − 2 degrees of freedom) over the
    finite pairs; NaN for fewer than 3 or no variance."""
    x, y = finite_pairs(x, y)
    if len(x) < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return NAN, NAN
    r, p = sps.pearsonr(x, y)
    return float(r), float(p)


EXACT_PERMUTATION_MAX = 8


@dataclass
class Spearman:
    rho: float = NAN
    p: float = NAN              # two-sided
    p_decreasing: float = NAN   # one-sided, against ρ < 0
    p_increasing: float = NAN   # one-sided, against ρ > 0


def spearman(x, y) -> Spearman:
    """Spearman ρ (average ranks for ties) over the finite pairs, with two- and one-sided
    p-values: exact, over every permutation, for up to 8 points (the t approximation calls
    ρ = −1 on 3 layers p = 0, where the exact two-sided value is 1/3); Student t beyond.
    All NaN for fewer than 3 points or no variance."""
    x, y = finite_pairs(x, y)
    if len(x) < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return Spearman()
    rho = float(sps.spearmanr(x, y).correlation)
    if len(x) <= EXACT_PERMUTATION_MAX:
        rx, ry = sps.rankdata(x), sps.rankdata(y)
        perms = np.array(list(itertools.permutations(ry)))
        rx, perms = rx - rx.mean(), perms - perms.mean(axis=1, keepdims=True)
        rhos = perms @ rx / np.sqrt((perms ** 2).sum(axis=1) * (rx ** 2).sum())
        tol = 1e-12
        return Spearman(rho, float(np.mean(np.abs(rhos) >= abs(rho) - tol)),
                        float(np.mean(rhos <= rho + tol)), float(np.mean(rhos >= rho - tol)))
    # The t approximation says p = 0 at ρ = ±1; no permutation test can go below 1/n! per
    # side, so that is its floor.
    n = len(x)
    floor = 1.0 / math.factorial(n)
    t = rho * math.sqrt((n - 2) / max(1e-300, 1.0 - rho * rho))
    return Spearman(rho, max(2 * floor, float(2 * sps.t.sf(abs(t), n - 2))),
                    max(floor, float(sps.t.cdf(t, n - 2))), max(floor, float(sps.t.sf(t, n - 2))))


def paired_difference(a, b):
    """Mean of a − b over the finite pairs and its two-sided p-value (one-sample t test of
    the differences); NaN for fewer than 3 pairs or no spread."""
    a, b = finite_pairs(a, b)
    d = a - b
    if len(d) < 3 or np.ptp(d) == 0:
        return (float(d.mean()) if len(d) else NAN), NAN
    return float(d.mean()), float(sps.ttest_1samp(d, 0.0).pvalue)


def bootstrap_pearson(x, y, strata, n_boot: int, seed: int):
    """Percentile 95% interval of Pearson r, resampling points within strata."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    if len(x) < 3 or n_boot <= 0:
        return NAN, NAN
    rng = np.random.default_rng(seed)
    idx = stratified_indices(strata, n_boot, rng)
    bx, by = x[idx], y[idx]
    bx = bx - bx.mean(axis=1, keepdims=True)
    by = by - by.mean(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (bx * by).sum(axis=1) / np.sqrt((bx ** 2).sum(axis=1) * (by ** 2).sum(axis=1))
    low, high, _ = percentile_interval(r)
    return low, high
