#!/usr/bin/python3
"""Performance model of the fit stage (BENCHMARKS.md "Scaling"): bytes read, GEMM flops and MPI
messages per rank for the llama-1b and llama-7b presets at P = 1, 2, 16, 64, 256 ranks,
and the predicted wall time from rates measured on this machine (bench/run_fit_bench.sh).

Model, per matrix of m rows × n columns with K settings {K_s}, each with its null twin:
  bytes per rank   = ⌈m/P⌉ · n · (bytes per stored value)
  flops per rank   = ⌈m/P⌉ · Σ_s 2·2·c_s  (projections; c_s = n·K_s on the dense route,
                     stored Φ entries + K_s² on the banded route, src/fit/width_plan.hpp)
                     + ⌈m/P⌉·Σ_s 2·K_s²  (SYRK co-moments)
  messages         = one gather of the per-row records to the matrix's assembler (P−1
                     messages, ⌈m/P⌉·(3 + 2S) doubles each) + agreement and record
                     transfer per round of P matrices + the collective HDF5 read
  assembly         = O(m·S) + eigen-decompositions O(Σ K³) per matrix, done in rounds of
                     P matrices, one per rank: each round costs its largest matrix's.
The assembly rounds and the per-matrix gathers are the terms that stop the fit stage from
scaling without bound: they are listed so the crossover can be read off.

Usage: bench/perf_model.py [--gflops 30] [--read-gbps 1.0] [--latency-us 5] [--bandwidth-gbps 10]
"""

import argparse
import math

PRESETS = {
    # name: (d_model, layers, ffn, kv_rows, vocab, bytes per value)
    "llama-1b": (2048, 22, 5632, 256, 32000, 2),
    "llama-7b": (4096, 32, 11008, 4096, 32000, 2),
}


def matrices(d, layers, ffn, kv, vocab):
    shapes = [(vocab, d), (vocab, d)]  # embedding, lm_head
    for _ in range(layers):
        shapes += [(d, d), (kv, d), (kv, d), (d, d), (ffn, d), (ffn, d), (d, ffn)]
    return shapes


def settings(n, k_values=(4, 8, 16), rule=(8, 16)):
    ks = [k for k in k_values if k <= n]
    ks.append(max(rule[0], n // rule[1]))
    return ks


def projection_cost(n, k, tile=8, reach=2 * 9.5):
    """Multiply-adds per row for one setting (without its twin): the cheaper route, as
    BasisCache chooses it at the default width (cond(Φ) ≈ 98 ≤ 1e3)."""
    dense = n * k
    tile_rows = min(n, n / k * (reach + tile - 1) + 1)
    banded = math.ceil(k / tile) * tile * tile_rows + k * k
    return banded if 4 * banded <= 3 * dense else dense


def model(preset, ranks, args):
    d, layers, ffn, kv, vocab, width = PRESETS[preset]
    total_bytes = flops = gather_bytes = 0.0
    messages = 0
    round_costs, assembly = [], 0.0
    for i, (m, n) in enumerate(matrices(d, layers, ffn, kv, vocab)):
        rows = math.ceil(m / ranks)
        ks = settings(n)
        total_bytes += rows * n * width
        flops += rows * sum(2 * 2 * projection_cost(n, k) for k in ks) + rows * sum(2 * k * k for k in ks)
        gather_bytes += m * (3 + 2 * len(ks)) * 8
        # flops-ish on the assembler; K³ term measured at K = 688: BLAS + DSYEVR 0.09 s for the
        # eigenvalues and the two M·C·Mᵀ products of the amplitude and null covariances
        # (Eigen took 0.27–0.33 s: 3·K³ at this rate)
        round_costs.append(m * len(ks) * 20 + sum(0.8 * k ** 3 for k in ks))
        messages += (ranks - 1) + 2 * math.ceil(math.log2(max(ranks, 2)))
        if len(round_costs) == ranks:
            assembly += max(round_costs)
            round_costs = []
    assembly += max(round_costs, default=0.0)
    read = total_bytes / (args.read_gbps * 1e9)
    compute = flops / (args.gflops * 1e9)
    comm = messages * args.latency_us * 1e-6 + gather_bytes / (args.bandwidth_gbps * 1e9)
    rounds = assembly / (args.gflops * 1e9 / 10)
    return total_bytes, flops, messages, read, compute, comm, rounds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gflops", type=float, default=30.0, help="GEMM rate per rank (measured: 23–45)")
    parser.add_argument("--read-gbps", type=float, default=1.0, help="read bandwidth per rank")
    parser.add_argument("--latency-us", type=float, default=5.0)
    parser.add_argument("--bandwidth-gbps", type=float, default=10.0, help="into rank 0")
    args = parser.parse_args()
    print("| preset | ranks | GB read/rank | TFLOP/rank | messages | read s | fit s | comm s | assembly rounds s | total s | efficiency vs 1 rank |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for preset in PRESETS:
        base = None
        for ranks in (1, 2, 16, 64, 256):
            b, f, msgs, read, compute, comm, rank0 = model(preset, ranks, args)
            total = read + compute + comm + rank0
            base = base or total
            print(f"| {preset} | {ranks} | {b / 1e9:.2f} | {f / 1e12:.3f} | {msgs} | {read:.2f} | {compute:.2f} | "
                  f"{comm:.3f} | {rank0:.2f} | {total:.2f} | {base / (ranks * total):.2f} |")


if __name__ == "__main__":
    main()
