#!/usr/bin/python3
"""The table of bench/dry_run_accuracy.sh: per case, each stage's estimate against the
measured time, and its achieved rate against this machine's floor."""

import json
import os
import sys

import h5py


def main(out, cases):
    print("| case | stage | estimated | measured | estimate / measured | achieved rate | floor |")
    print("|---|---|---|---|---|---|---|")
    synthesised = set()
    for case in cases:
        model = case.split(":")[0]
        with open(f"{out}/{case}.plan.json") as f:
            plan = json.load(f)
        estimate, rates = plan["estimates"][0], plan["rates"]
        with h5py.File(f"{out}/{case}.h5") as f:
            a = dict(f.attrs)
        size, start, end = (float(x) for x in open(f"{out}/{model}.page-cache").read().split())
        page_cache = size / (end - start)
        ranks = int(a["mpi_ranks"])
        wall_start, wall_end = (float(x) for x in open(f"{out}/{case}.wall").read().split())
        rows = [
            ("read", estimate["read_seconds"], a["time_read"],
             f"{size / a['time_read'] / 1e9:.2f} GB/s", f"{page_cache / 1e9:.2f} GB/s (page cache, one reader)"),
            ("fit", estimate["fit_seconds"], a["time_fit"], "", ""),
            ("spectra", estimate["spectral_seconds"], a["time_spectral"],
             f"{estimate['gram_flops'] / max(a['time_spectral'], 1e-9) / 1e9:.1f} GFLOP/s (Gram products)",
             f"{ranks * rates['syrk_flops_per_second'] / 1e9:.1f} GFLOP/s DSYRK ({ranks} ranks)"),
        ]
        synth = f"{out}/{model}.synth"
        if os.path.exists(synth) and model not in synthesised:
            synthesised.add(model)
            start, end, rss_kb = (float(x) for x in open(synth).read().split())
            print(f"| {model} | synthesis ({ranks} ranks, bf16) | | {end - start:.1f} s | | "
                  f"{size / (end - start) / 1e6:.0f} MB/s written, peak RSS {rss_kb / 1e6:.2f} GB per rank | |")
        for stage, est, measured, rate, floor in rows:
            print(f"| {case} | {stage} | {est:.1f} s | {measured:.1f} s | {est / measured:.2f} | {rate} | {floor} |")
        planned, peak = estimate["peak_memory_bytes_per_rank"], int(a["peak_rss_bytes"])
        print(f"| {case} | peak memory per rank | {planned / 1e9:.2f} GB | {peak / 1e9:.2f} GB | "
              f"{planned / peak:.2f} | | |")
        print(f"| {case} | wall (launch to exit) | {estimate['total_seconds']:.1f} s | {wall_end - wall_start:.1f} s | "
              f"| calibration {rates['calibration_seconds']:.1f} s | DGEMM {ranks * rates['gemm_flops_per_second'] / 1e9:.1f} GFLOP/s |")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
