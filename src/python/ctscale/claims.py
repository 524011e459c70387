"""The research note's claims, each with the rule that decides it from the report's tables.
A verdict is one of SUPPORTED, CONTRADICTED, NOT_TESTABLE; the rule is printed beside it."""
from __future__ import annotations

import math

import pandas as pd

from . import paper
from .tables import NOTE_ASYMMETRIC, NOTE_SYMMETRIC, ReportTables

SUPPORTED, CONTRADICTED, NOT_TESTABLE = "supported", "contradicted", "not testable from these inputs"
ALPHA = 0.05


def fmt(x, digits=3) -> str:
    return "n/a" if x is None or (isinstance(x, float) and not math.isfinite(x)) else f"{x:.{digits}g}"


def interval(row) -> str:
    return f"{fmt(row.exponent)} [{fmt(row.ci_low)}, {fmt(row.ci_high)}] (n = {row.n})"


def sign_verdict(row, expect_positive: bool):
    """By the 95% bootstrap interval of an exponent: it excludes 0 on the claimed side →
    supported; on the other side → contradicted; it contains 0 or is missing → not testable."""
    if not has_interval(row):
        return NOT_TESTABLE
    if row.ci_low > 0:
        return SUPPORTED if expect_positive else CONTRADICTED
    if row.ci_high < 0:
        return CONTRADICTED if expect_positive else SUPPORTED
    return NOT_TESTABLE


def has_interval(row) -> bool:
    return row is not None and row.status == "ok" and math.isfinite(row.ci_low)


def within_verdict(row, margin: float):
    """Equivalence: the whole 95% interval inside ±margin → supported; entirely outside →
    contradicted; straddling the margin or missing → not testable."""
    if not has_interval(row):
        return NOT_TESTABLE
    if -margin <= row.ci_low and row.ci_high <= margin:
        return SUPPORTED
    if row.ci_low > margin or row.ci_high < -margin:
        return CONTRADICTED
    return NOT_TESTABLE


STREAMS = "token streams"   # the series column of the claims about transition matrices


def judged_series(t: ReportTables) -> list:
    """Every series of models, the one with the most models first (then by name); the
    model claims are judged within each, as the scaling laws are fitted within each."""
    names = sorted(set(t.series.values()), key=lambda n: (-sum(v == n for v in t.series.values()), n))
    return names or ["synthetic"]


def fit_row(fits: pd.DataFrame, quantity: str, k_label: str, series: str):
    sel = fits[(fits["quantity"] == quantity) & (fits["k_label"] == k_label) & (fits["series"] == series)]
    return next(sel.itertuples(), None)


COLUMNS = ["series", "claim_id", "claim", "note_value", "measured", "rule", "verdict"]


def verdicts(t: ReportTables) -> pd.DataFrame:
    """The model claims for every series, then the transition claims once."""
    rows = [row for series in judged_series(t) for row in model_claims(t, series)]
    return pd.DataFrame(rows + transition_claims(t), columns=COLUMNS)


def collector(out: list, series: str):
    def claim(cid, text, note_value, measured, rule, verdict):
        out.append({"series": series, "claim_id": cid, "claim": text, "note_value": note_value,
                    "measured": measured, "rule": rule, "verdict": verdict})
    return claim


def model_claims(t: ReportTables, series: str) -> list:
    fits = t.tables["scaling_fits"]
    members = {m for m, s in t.series.items() if s == series}
    out = []
    claim = collector(out, series)

    # 1. Compression grows with model size (K = 8).
    row = fit_row(fits, "compression_total~total_params", "8", series)
    claim("compression-grows", "Compression (K = 8) grows with model size",
          f"52× → 556× from 10.2M to 7B (exponent {paper.compression_exponent():.3f})",
          interval(row) if row else "n/a",
          "exponent of compression_total~total_params: 95% interval above 0 → supported, "
          "below 0 → contradicted, else not testable", sign_verdict(row, True))

    # 2. The note's extrapolated compression: its implied exponent inside our interval.
    note_b = paper.compression_exponent()
    if not has_interval(row):
        v = NOT_TESTABLE
    else:
        v = SUPPORTED if row.ci_low <= note_b <= row.ci_high else CONTRADICTED
    claim("compression-rate", "Compression grows at the note's rate (its 52/113/212/556× rows)",
          f"exponent {note_b:.3f}", interval(row) if row else "n/a",
          "the note's exponent inside the 95% interval of ours → supported, outside → contradicted", v)

    # 3. R² falls with width at fixed K = 4 and 8.
    for k in ("4", "8"):
        row = fit_row(fits, "r2_pooled_excl~d_model", k, series)
        claim(f"r2-falls-with-width-k{k}", f"Pooled R² at K = {k} falls as d_model grows",
              f"exponent {paper.width_exponent(int(k)):.2f} (0.219 → 0.012 at K = 4)" if k == "4"
              else f"exponent {paper.width_exponent(int(k)):.2f} (0.414 → 0.009 at K = 8)",
              interval(row) if row else "n/a",
              "exponent of pooled R² (fits with K ≤ cols/4) on d_model: 95% interval below 0 → supported, "
              "above 0 → contradicted, else not testable", sign_verdict(row, False))

    # The chance level of R² is about (K − 1)/(d − 1): it falls with width by itself.
    row = fit_row(fits, "r2_over_null_excl~d_model", "8", series)
    claim("r2-width-beyond-chance", "R² falls with width because the weights' structure thins, beyond chance",
          "'larger models need proportionally more Gaussians'", interval(row) if row else "n/a",
          "exponent of (pooled R² / its column-permuted null) on d_model at K = 8: 95% interval below 0 → "
          "supported, above 0 → contradicted (R² falls more slowly than chance does), else not testable",
          sign_verdict(row, False))

    # 4. The K rule keeps R² stable across widths.
    row = fit_row(fits, "r2_pooled_excl~d_model", "rule", series)
    claim("k-rule-stable", "K = max(8, d/16) gives stable R² across widths", "recommendation",
          interval(row) if row else "n/a",
          "95% interval of the exponent of pooled R² (rule) on d_model within ±0.05 (R² changing by less "
          "than 1.23× over a 64-fold width range) → supported, entirely outside → contradicted, else not "
          "testable", within_verdict(row, 0.05))

    # 5. Amplitude PR is uncorrelated with matrix size (per model, K = 8).
    amp = t.tables["amplitude_pr"]
    amp = amp[amp["model"].isin(members)]
    amp8 = amp[(amp["k_label"] == "8") & amp["pearson_p_excl"].notna()]
    if len(amp8) == 0:
        v, measured = NOT_TESTABLE, "no model with 3 or more matrices of different sizes at K = 8"
    else:
        significant = amp8[amp8["pearson_p_excl"] < ALPHA]
        v = CONTRADICTED if len(significant) > len(amp8) / 2 else SUPPORTED
        measured = f"{len(significant)} of {len(amp8)} models with p < {ALPHA}: " + ", ".join(
            f"{m} r = {fmt(r)}" for m, r in zip(amp8["model"], amp8["pearson_r_excl"]))
    claim("pr-size-independent", "Amplitude PR is uncorrelated with matrix size", "r = −0.164 (not significant)",
          measured, f"Pearson r of amplitude PR and rows·cols at K = 8, fits with K ≤ cols/4, over the models "
          f"where r is defined: significant (p < {ALPHA}) in more than half of them → contradicted, else "
          "supported", v)

    # 6. The ~3-D amplitude subspace is a property of the weights, not of the basis.
    paired = amp[(amp["k_label"] == "8") & amp["pr_minus_null_p_excl"].notna()]
    if len(paired) == 0:
        v, measured = NOT_TESTABLE, "no model with 3 or more fitted matrices at K = 8"
    else:
        above = paired[(paired["pr_minus_null_mean_excl"] > 0) & (paired["pr_minus_null_p_excl"] < ALPHA)]
        v = SUPPORTED if len(above) > len(paired) / 2 else CONTRADICTED
        measured = f"{len(above)} of {len(paired)} models above their null: " + ", ".join(
            f"{m} {fmt(a)} (null {fmt(b)})" for m, a, b in
            zip(paired["model"], paired["pr_mean_excl"], paired["pr_null_mean_excl"]))
    claim("pr-not-basis", "Amplitude PR (≈ 3.15) reflects the weights, not the basis",
          "3.15 ± 1.04 over 16 matrices", measured,
          f"paired t test of PR − null PR over each model's matrices (K = 8, K ≤ cols/4): PR above its null "
          f"with p < {ALPHA} in more than half of the models → supported, else contradicted", v)

    # 7. Layer norms decrease monotonically with depth.
    lt = t.tables["layer_trends"]
    lt = lt[lt["model"].isin(members) & (lt["layers_present"] >= 4)]
    if len(lt) == 0:
        v, measured = NOT_TESTABLE, "no model with 4 or more layers"
    else:
        down = lt[lt["spearman_p_decreasing"] < ALPHA]
        up = lt[lt["spearman_p_increasing"] < ALPHA]
        v = SUPPORTED if len(down) > len(lt) / 2 else CONTRADICTED if len(up) > len(lt) / 2 else NOT_TESTABLE
        measured = f"{len(down)} of {len(lt)} models significantly decreasing, {len(up)} increasing"
    claim("norms-decrease", "Layer weight norms decrease with depth", "L0 29.87 > L4 27.39 > L7 26.47",
          measured, f"one-sided Spearman test of ρ(layer, norm) < 0 (exact up to 8 layers) with p < {ALPHA} in "
          "more than half of the models with 4 or more layers (3 layers cannot reach p < 0.05) → supported; "
          "ρ > 0 likewise → contradicted; else not testable", v)

    # The 12.6M number: K = 8 amplitudes capture the largest model.
    c = t.tables["compression"]
    c8 = c[(c["k_label"] == "8") & (c["series"] == series)]
    if len(c8) == 0:
        v, measured = NOT_TESTABLE, "n/a"
    else:
        big = c8.sort_values("total_params").iloc[-1]
        v = SUPPORTED if big["r2_pooled_excl"] >= 0.5 and big["r2_excess_excl"] > 0 else CONTRADICTED
        measured = (f"{big['model']}: {big['amplitude_params']:,} amplitude parameters, pooled R² "
                    f"{fmt(big['r2_pooled_excl'])} (null {fmt(big['r2_null_pooled_excl'])})")
    claim("free-parameters", "The K = 8 amplitudes are the model's 'free parameters' (12.6M for 7B)",
          "12.6M amplitude parameters carry a 7B model", measured,
          "on the largest model, pooled R² at K = 8 (fits with K ≤ cols/4) ≥ 0.5 and above its null → "
          "supported, else contradicted", v)
    return out


def transition_claims(t: ReportTables) -> list:
    fits = t.tables["scaling_fits"]
    out = []
    claim = collector(out, STREAMS)
    # Transition PR levels and scale invariance.
    streams = t.tables["transition"]
    for cid, name, note_key in (("transition-asymmetric", NOTE_ASYMMETRIC, "asymmetric"),
                                ("transition-symmetric", NOTE_SYMMETRIC, "symmetric")):
        at = streams[pd.notna(streams[f"paper_{note_key}"])]
        if len(at) == 0:
            v, measured = NOT_TESTABLE, "no stream at the note's vocabulary sizes"
        else:
            rel = (at[name] - at[f"paper_{note_key}"]).abs() / at[f"paper_{note_key}"]
            v = SUPPORTED if (rel <= 0.10).all() else CONTRADICTED
            measured = "; ".join(f"{s} V={v_}: {fmt(x)}" for s, v_, x in zip(at["stream"], at["vocab_size"], at[name]))
        claim(cid, f"Transition {note_key} PR ({name}) is ≈ the note's value at each V",
              "2.00–2.01" if note_key == "asymmetric" else "1.01–1.02", measured,
              "every measured value within 10% of the note's at the same V → supported, else contradicted", v)
    tf = fits[fits["quantity"] == f"{NOTE_ASYMMETRIC}~vocab_size"]
    if len(tf) == 0:
        v, measured = NOT_TESTABLE, "n/a"
    else:
        each = [within_verdict(r, 0.01) for r in tf.itertuples()]
        v = (CONTRADICTED if CONTRADICTED in each else
             SUPPORTED if all(e == SUPPORTED for e in each) else NOT_TESTABLE)
        measured = "; ".join(f"{r.series}: {interval(r)}" for r in tf.itertuples())
    claim("transition-invariant", "Transition PR is scale-invariant in V", "PR ~ V^−0.001", measured,
          f"95% interval of the slope of ln {NOTE_ASYMMETRIC} on ln V within ±0.01 (a PR change under 5.5% "
          "from V = 500 to 100,000) for every stream → supported; entirely outside for some stream → "
          "contradicted; else not testable (an interval needs 5 vocabulary sizes)", v)
    return out
