#!/usr/bin/python3
"""The performance model (BENCHMARKS.md, "Scaling model"): ctscale-mpi --dry-run's estimates for
the llama-1b and llama-7b presets (bf16) at 1, 2, 16, 64 and 256 ranks, one core per rank.

The model is the dry run's (docs/dry-run.md): rates measured on this machine by the stages'
own code (reads in the fit's steps, the fit per row width, DSYRK, the spectral solve),
the fit's row partition ⌈m/P⌉ and the spectral stage's own schedule. What it leaves out:
MPI start-up and the collective rounds between the stages' work, which cost microseconds
per round with one rank per core but dominate on an oversubscribed node — see
bench/rank_scaling.sh, whose "model" column is the same estimate against measured runs.

Usage: bench/perf_model.py [--checkpoints DIR] [--ranks-here 2] [--spectral pr] [--rates read=GB/s,gemm=GFLOP/s]
Prints a Markdown table; the checkpoints are those of scripts/scale-points.sh.
"""

import argparse
import json
import os
import subprocess
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLAN_RANKS = (1, 2, 16, 64, 256)


def plan(checkpoint, args):
    with tempfile.TemporaryDirectory() as work:
        path = os.path.join(work, "plan.json")
        command = ["mpirun", "-n", str(args.ranks_here), os.path.join(args.bin, "ctscale-mpi"), "--dry-run",
                   "-i", checkpoint, "--spectral", args.spectral, "--json", path,
                   "--plan-ranks", ",".join(str(p) for p in PLAN_RANKS)]
        if args.rates:
            command += ["--rates", args.rates]
        env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
                   OMPI_MCA_rmaps_base_oversubscribe="1", OPENBLAS_NUM_THREADS="1")
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
        with open(path) as f:
            return json.load(f)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--checkpoints", default=os.path.join(REPO, "build", "scale-points", "checkpoints"))
    parser.add_argument("--bin", default=os.path.join(REPO, "build", "bin"))
    parser.add_argument("--ranks-here", type=int, default=2, help="ranks the calibration runs on")
    parser.add_argument("--spectral", default="pr")
    parser.add_argument("--rates", help="a target cluster's per-rank rates, as --dry-run's --rates")
    args = parser.parse_args()
    print("| preset | ranks | GB read/rank | read s | fit s | spectra s | total s | peak memory/rank | "
          "efficiency vs 1 rank |")
    print("|---|---|---|---|---|---|---|---|---|")
    for preset in ("llama-1b", "llama-7b"):
        p = plan(os.path.join(args.checkpoints, f"{preset}-bf16.h5"), args)
        base = p["estimates"][0]["total_seconds"]
        for e in p["estimates"]:
            efficiency = base / (e["ranks"] * e["total_seconds"])
            print(f"| {preset} | {e['ranks']} | {e['read_bytes_per_rank'] / 1e9:.2f} | {e['read_seconds']:.2f} | "
                  f"{e['fit_seconds']:.2f} | {e['spectral_seconds']:.1f} | {e['total_seconds']:.1f} | "
                  f"{e['peak_memory_bytes_per_rank'] / 1e9:.2f} GB | {efficiency:.2f} |")
        r = p["rates"]
        print(f"\n{preset}: {r['origin']}; DGEMM {r['gemm_flops_per_second'] / 1e9:.1f}, "
              f"DSYRK {r['syrk_flops_per_second'] / 1e9:.1f} GFLOP/s per rank; "
              f"calibration {r['calibration_seconds']:.1f} s.\n")


if __name__ == "__main__":
    main()
