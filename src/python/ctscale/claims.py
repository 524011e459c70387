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
    if row is None or row.status != "ok" or not math.isfinite(row.ci_low):
        return NOT_TESTABLE
    if row.ci_low > 0:
        return SUPPORTED if expect_positive else CONTRADICTED
    if row.ci_high < 0:
        return CONTRADICTED if expect_positive else SUPPORTED
    return NOT_TESTABLE


def main_series(t: ReportTables) -> str:
    """The series the cross-model claims are judged on: the one with the most models."""
    counts = pd.Series(list(t.series.values()), dtype=object).value_counts()
    return str(counts.index[0]) if len(counts) else "synthetic"


def fit_row(fits: pd.DataFrame, quantity: str, k_label: str, series: str):
    sel = fits[(fits["quantity"] == quantity) & (fits["k_label"] == k_label) & (fits["series"] == series)]
    return next(sel.itertuples(), None)


def verdicts(t: ReportTables) -> pd.DataFrame:
    fits = t.tables["scaling_fits"]
    series = main_series(t)
    out = []

    def claim(cid, text, note_value, measured, rule, verdict):
        out.append({"claim_id": cid, "claim": text, "note_value": note_value, "measured": measured,
                    "rule": rule, "verdict": verdict})

    # 1. Compression grows with model size (K = 8).
    row = fit_row(fits, "compression_total~total_params", "8", series)
    claim("compression-grows", "Compression (K = 8) grows with model size",
          f"52× → 556× from 10.2M to 7B (exponent {paper.compression_exponent():.3f})",
          interval(row) if row else "n/a",
          f"exponent of compression_total~total_params ({series} series): 95% interval above 0 → supported, "
          "below 0 → contradicted, else not testable", sign_verdict(row, True))

    # 2. The note's extrapolated compression: its implied exponent inside our interval.
    note_b = paper.compression_exponent()
    if row is None or row.status != "ok" or not math.isfinite(row.ci_low):
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

    # 4. The K rule keeps R² stable across widths.
    row = fit_row(fits, "r2_pooled_excl~d_model", "rule", series)
    if row is None or row.status != "ok" or not math.isfinite(row.ci_low):
        v = NOT_TESTABLE
    else:
        v = SUPPORTED if row.ci_low <= 0 <= row.ci_high else CONTRADICTED
    claim("k-rule-stable", "K = max(8, d/16) gives stable R² across widths", "recommendation",
          interval(row) if row else "n/a",
          "95% interval of the exponent of pooled R² (rule) on d_model contains 0 → supported, "
          "excludes 0 → contradicted", v)

    # 5. Amplitude PR is uncorrelated with matrix size (per model, K = 8).
    amp = t.tables["amplitude_pr"]
    amp8 = amp[(amp["k_label"] == "8") & (amp["n_matrices_excl"] >= 3)]
    if len(amp8) == 0:
        v, measured = NOT_TESTABLE, "no model with 3 or more matrices at K = 8"
    else:
        significant = amp8[amp8["pearson_p_excl"] < ALPHA]
        v = CONTRADICTED if len(significant) > len(amp8) / 2 else SUPPORTED
        measured = f"{len(significant)} of {len(amp8)} models with p < {ALPHA}: " + ", ".join(
            f"{m} r = {fmt(r)}" for m, r in zip(amp8["model"], amp8["pearson_r_excl"]))
    claim("pr-size-independent", "Amplitude PR is uncorrelated with matrix size", "r = −0.164 (not significant)",
          measured, f"Pearson r of amplitude PR and rows·cols at K = 8, fits with K ≤ cols/4: significant "
          f"(p < {ALPHA}) in more than half of the models → contradicted, else supported", v)

    # 6. The ~3-D amplitude subspace is a property of the weights, not of the basis.
    if len(amp8) == 0:
        v, measured = NOT_TESTABLE, "n/a"
    else:
        beyond = amp8[(amp8["pr_mean_excl"] - amp8["pr_null_mean_excl"]).abs()
                      > 2 * amp8["pr_null_std_excl"] / amp8["n_matrices_excl"] ** 0.5]
        v = SUPPORTED if len(beyond) > len(amp8) / 2 else CONTRADICTED
        measured = ", ".join(f"{m} {fmt(a)} (null {fmt(b)})" for m, a, b in
                             zip(amp8["model"], amp8["pr_mean_excl"], amp8["pr_null_mean_excl"]))
    claim("pr-not-basis", "Amplitude PR (≈ 3.15) reflects the weights, not the basis",
          "3.15 ± 1.04 over 16 matrices", measured,
          "mean PR differs from the column-permuted null's by more than 2 standard errors of the null in "
          "more than half of the models → supported, else contradicted", v)

    # 7. Layer norms decrease monotonically with depth.
    lt = t.tables["layer_trends"]
    lt = lt[lt["layers_present"] >= 3]
    if len(lt) == 0:
        v, measured = NOT_TESTABLE, "no model with 3 or more layers"
    else:
        down = lt[(lt["spearman_rho"] < 0) & (lt["spearman_p"] < ALPHA)]
        up = lt[(lt["spearman_rho"] > 0) & (lt["spearman_p"] < ALPHA)]
        v = SUPPORTED if len(down) > len(lt) / 2 else CONTRADICTED if len(up) > len(lt) / 2 else NOT_TESTABLE
        measured = f"{len(down)} of {len(lt)} models significantly decreasing, {len(up)} increasing"
    claim("norms-decrease", "Layer weight norms decrease with depth", "L0 29.87 > L4 27.39 > L7 26.47",
          measured, f"Spearman ρ(layer, norm) < 0 with p < {ALPHA} in more than half of the models → supported; "
          "> 0 likewise → contradicted; else not testable", v)

    # 8, 9. Transition PR levels and scale invariance.
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
    if len(tf) == 0 or not (tf["status"] == "ok").any():
        v, measured = NOT_TESTABLE, "n/a"
    else:
        ok = tf[tf["status"] == "ok"]
        inside = ok[(ok["ci_low"] <= -0.001) & (-0.001 <= ok["ci_high"])]
        v = SUPPORTED if len(inside) == len(ok) else CONTRADICTED
        measured = "; ".join(f"{s}: {interval(r)}" for s, r in zip(ok["series"], ok.itertuples()))
    claim("transition-invariant", "Transition PR is scale-invariant in V", "PR ~ V^−0.001", measured,
          f"the note's exponent −0.001 inside the 95% interval of the slope of ln {NOTE_ASYMMETRIC} on ln V "
          "for every stream → supported, else contradicted", v)

    # 10. The 12.6M number: K = 8 amplitudes capture the largest model.
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
    return pd.DataFrame(out, columns=["claim_id", "claim", "note_value", "measured", "rule", "verdict"])
