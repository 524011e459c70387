#!/usr/bin/python3
"""Independent NumPy reference for the spectral statistics of ctscale (docs/definitions.md §6).

Everything is computed straightforwardly from ``numpy.linalg.svd(W, compute_uv=False)``
(not from a Gram matrix, as the program does), and the power law is fitted by looping
over every candidate x_min exactly as docs/definitions.md §6 words it.

Library use::

    ref = spectral_fields(W, "full")      # dict of every §4.6 field (+ runner-up KS)
    problems = compare_fields(name, got, ref)

Command line, from the repository root (exit status 0 iff nothing mismatches)::

    python3 -m tests.reference.spectral_reference compare CHECKPOINT RESULTS.h5      # a ctscale-mpi results file
    python3 -m tests.reference.spectral_reference compare-json CHECKPOINT DUMP.json  # tests/spectral/spectral_dump
    python3 -m tests.reference.spectral_reference fields CHECKPOINT [--mode full]    # print the reference as JSON
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys

# OpenBLAS 0.3.21 does not recognise this CPU: pin Haswell kernels unless the machine sets its own.
os.environ.setdefault("OPENBLAS_CORETYPE", "Haswell")

import h5py  # noqa: E402
import numpy as np  # noqa: E402

from tests.reference.fit_reference import attr_str, read_weight  # noqa: E402

EPS = 2.0 ** -52
MIN_TAIL = 10
NAN = float("nan")
PR_FIELDS = ("pr_sv", "spectral_norm", "stable_rank")
FULL_FIELDS = ("effective_rank", "nuclear_norm", "alpha", "alpha_ks", "alpha_tail", "alpha_weighted",
               "log_spectral_norm", "mp_edge", "n_spikes", "mp_softrank")

# Tolerances (docs/definitions.md §8): 1e-8 for the Gram-based PR and σ₁; |σᵢ − ref| ≤ 1e-6·σ₁ for the
# spectrum; 1e-5 for alpha where its x_min choice is stable (best and runner-up D more
# than 1e-6 apart). Sums of σ get the spectrum's bound as a relative one.
RTOL = {"pr_sv": 1e-8, "spectral_norm": 1e-8, "stable_rank": 1e-8, "mp_edge": 1e-9, "mp_softrank": 1e-8,
        "nuclear_norm": 1e-6, "effective_rank": 1e-6, "alpha": 1e-5, "alpha_weighted": 1e-5}
KS_GAP = 1e-6


def power_law_fit(lam) -> dict:
    """Clauset–Shalizi–Newman continuous MLE over every distinct x_min with a tail of ≥ 10."""
    lam = np.sort(np.asarray(lam, dtype=np.float64))
    out = {"alpha": NAN, "alpha_ks": NAN, "alpha_tail": NAN, "x_min": NAN, "runner_up_ks": math.inf}
    if lam.size < MIN_TAIL:
        return out
    best = math.inf
    for x_min in np.unique(lam):
        tail = lam[lam >= x_min]
        t = tail.size
        if t < MIN_TAIL:
            break
        total = float(np.sum(np.log(tail / x_min)))
        if not total > 0:
            continue
        alpha = 1.0 + t / total
        cdf = 1.0 - (tail / x_min) ** (1.0 - alpha)
        i = np.arange(1, t + 1)
        d = float(max(np.max(i / t - cdf), np.max(cdf - (i - 1) / t)))
        if d < best:
            out["runner_up_ks"] = best
            best = d
            out.update(alpha=alpha, alpha_ks=d, alpha_tail=float(t), x_min=float(x_min))
        elif d < out["runner_up_ks"]:
            out["runner_up_ks"] = d
    return out


def spectral_fields(W: np.ndarray, mode: str) -> dict:
    """Every §4.6 field of W for mode 'pr' or 'full' (NaN where the mode does not compute it)."""
    W = np.asarray(W, dtype=np.float64)
    m, n = W.shape
    big_n, r = max(m, n), min(m, n)
    sigma = np.linalg.svd(W, compute_uv=False)
    fro2 = float(np.sum(W * W))
    s1 = float(sigma[0])
    out = {f: NAN for f in PR_FIELDS + FULL_FIELDS}
    out["pr_sv"] = fro2 ** 2 / float(np.sum(sigma ** 4)) if s1 > 0 else NAN
    out["spectral_norm"] = s1
    out["stable_rank"] = fro2 / s1 ** 2 if s1 > 0 else NAN
    if mode != "full":
        return out
    nuclear = float(np.sum(sigma))
    out["nuclear_norm"] = nuclear
    if nuclear > 0:
        p = sigma[sigma > 0] / nuclear
        out["effective_rank"] = float(np.exp(-np.sum(p * np.log(p))))
    positive = sigma[sigma > big_n * EPS * s1]
    lam = positive ** 2 / big_n
    fit = power_law_fit(lam)
    out.update(alpha=fit["alpha"], alpha_ks=fit["alpha_ks"], alpha_tail=fit["alpha_tail"])
    out["alpha_runner_up_ks"] = fit["runner_up_ks"]
    lam_max = s1 ** 2 / big_n
    if lam_max > 0:
        out["log_spectral_norm"] = math.log10(lam_max)
        out["alpha_weighted"] = fit["alpha"] * out["log_spectral_norm"]
    v = fro2 / (m * n)
    out["mp_edge"] = v * (1 + math.sqrt(r / big_n)) ** 2
    all_lam = sigma ** 2 / big_n
    out["n_spikes"] = float(np.sum(all_lam > out["mp_edge"]))
    out["mp_softrank"] = out["mp_edge"] / lam_max if lam_max > 0 else NAN
    out["singular_values"] = sigma
    out["all_lambda"] = all_lam
    return out


def _close(got, ref, rtol, atol=0.0) -> bool:
    if ref is None or (isinstance(ref, float) and math.isnan(ref)):
        return got is None or math.isnan(got)
    if got is None or math.isnan(got):
        return False
    return abs(got - ref) <= rtol * abs(ref) + atol


def compare_fields(name: str, got: dict, ref: dict, mode: str) -> list:
    """Mismatches of one matrix's results `got` (NaN as None or nan) against `ref`."""
    problems = []
    fields = PR_FIELDS + (FULL_FIELDS if mode == "full" else ())

    def bad(field, detail=""):
        problems.append(f"{name}: {field} = {got.get(field)} vs reference {ref.get(field)} {detail}".rstrip())

    stable = abs(ref.get("alpha_runner_up_ks", math.inf) - (ref.get("alpha_ks") or math.inf)) > KS_GAP
    for field in fields:
        value = got.get(field)
        value = NAN if value is None else float(value)
        if field in ("alpha", "alpha_weighted", "alpha_ks", "alpha_tail") and not stable:
            if math.isnan(ref[field]) != math.isnan(value):
                bad(field, "(defined-ness)")
            continue
        if field == "alpha_ks":
            ok = _close(value, ref[field], 0.0, 1e-6)
        elif field == "alpha_tail":
            ok = _close(value, ref[field], 0.0)
        elif field == "log_spectral_norm":
            ok = _close(value, ref[field], 0.0, 1e-8)
        elif field == "n_spikes":
            # λ within 1e-6 (relative) of the edge may fall on either side.
            lam, edge = ref["all_lambda"], ref["mp_edge"]
            near = float(np.sum(np.abs(lam - edge) <= 1e-6 * max(edge, lam.max())))
            ok = abs(value - ref[field]) <= near
        else:
            ok = _close(value, ref[field], RTOL[field])
        if not ok:
            bad(field)
    if mode == "full":
        sv = np.asarray(got.get("singular_values") or [], dtype=np.float64)
        ref_sv = ref["singular_values"]
        if sv.shape != ref_sv.shape:
            problems.append(f"{name}: {sv.size} singular values, expected {ref_sv.size}")
        elif sv.size and np.max(np.abs(sv - ref_sv)) > 1e-6 * ref_sv[0]:
            problems.append(f"{name}: singular values off by {np.max(np.abs(sv - ref_sv)) / ref_sv[0]:.3g}·σ₁")
        elif sv.size > 1 and np.any(np.diff(sv) > 0):
            problems.append(f"{name}: singular values not descending")
    return problems


def reference_for(checkpoint: str, mode: str) -> dict:
    """Reference fields of every 2-D weight of a checkpoint, by dataset name."""
    out = {}
    with h5py.File(checkpoint, "r") as f:
        for name, dset in f["weights"].items():
            if dset.ndim == 2:
                out[name] = spectral_fields(read_weight(dset)[0], mode)
    return out


def compare_records(checkpoint: str, records: dict, mode: str) -> list:
    ref = reference_for(checkpoint, mode)
    problems = [f"{name}: missing from the results" for name in ref if name not in records]
    for name, got in records.items():
        if name not in ref:
            problems.append(f"{name}: not a 2-D weight of the checkpoint")
        else:
            problems += compare_fields(name, got, ref[name], mode)
    return problems


def records_from_json(path: str) -> tuple[dict, str]:
    with open(path) as fh:
        data = json.load(fh)
    return {m["name"]: m for m in data["matrices"]}, data["mode"]


def records_from_results(path: str) -> tuple[dict, str]:
    with h5py.File(path, "r") as f:
        mode = attr_str(f.attrs["spectral_mode"])
        table = f["summary/matrices"][()]
        records = {}
        for row in table:
            rec = {k: (attr_str(row[k]) if table.dtype[k].kind in "OS" else float(row[k])) for k in table.dtype.names}
            name = rec["name"]
            sv = f.get(f"matrices/{name}/singular_values")
            rec["singular_values"] = list(sv[()]) if sv is not None else []
            records[name] = rec
    return records, mode


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for command in ("compare", "compare-json"):
        p = sub.add_parser(command)
        p.add_argument("checkpoint")
        p.add_argument("results")
    p = sub.add_parser("fields")
    p.add_argument("checkpoint")
    p.add_argument("--mode", default="full", choices=("pr", "full"))
    args = parser.parse_args(argv)
    if args.command == "fields":
        ref = reference_for(args.checkpoint, args.mode)
        print(json.dumps({k: {f: (v.tolist() if isinstance(v, np.ndarray) else v) for f, v in r.items()}
                          for k, r in ref.items()}, indent=1))
        return 0
    reader = records_from_json if args.command == "compare-json" else records_from_results
    records, mode = reader(args.results)
    if mode == "none":
        print("spectral mode none: nothing to compare")
        return 0
    problems = compare_records(args.checkpoint, records, mode)
    for line in problems:
        print(line)
    print(f"{len(records)} matrices, {len(problems)} mismatches ({mode} mode)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
