#!/usr/bin/python3
"""Performance model of the fit stage (SPEC §8 "Scaling"): bytes read, GEMM flops and MPI
messages per rank for the llama-1b and llama-7b presets at P = 1, 2, 16, 64, 256 ranks,
and the predicted wall time from rates measured on this machine (bench/run_fit_bench.sh).

Model, per matrix of m rows × n columns with K settings {K_s} (the stacked basis has
T = Σ_s 2·K_s columns, every setting and its null twin):
  bytes per rank   = ⌈m/P⌉ · n · (bytes per stored value)
  flops per rank   = 2·⌈m/P⌉·n·T  (projection GEMM)  +  ⌈m/P⌉·Σ_s 2·K_s²  (SYRK co-moments)
  messages         = one gather of the per-row records to rank 0 (P−1 messages into rank 0,
                     ⌈m/P⌉·(3 + 2S) doubles each) + one allreduce (error agreement) +
                     the collective HDF5 read (MPI-IO two-phase: O(P) messages)
  rank 0 extra     = assembling each matrix: O(m·S) + eigen-decompositions O(Σ K³)
The per-matrix gather and the serial assembly on rank 0 are the terms that stop the fit
stage from scaling without bound: they are listed so the crossover can be read off.

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


def model(preset, ranks, args):
    d, layers, ffn, kv, vocab, width = PRESETS[preset]
    total_bytes = flops = gather_bytes = assemble = 0.0
    messages = 0
    for m, n in matrices(d, layers, ffn, kv, vocab):
        rows = math.ceil(m / ranks)
        ks = settings(n)
        total_bytes += rows * n * width
        flops += 2.0 * rows * n * sum(2 * k for k in ks) + rows * sum(2 * k * k for k in ks)
        gather_bytes += m * (3 + 2 * len(ks)) * 8
        assemble += m * len(ks) * 20 + sum(10 * k ** 3 for k in ks)  # flops-ish on rank 0
        messages += (ranks - 1) + 2 * math.ceil(math.log2(max(ranks, 2)))
    read = total_bytes / (args.read_gbps * 1e9)
    compute = flops / (args.gflops * 1e9)
    comm = messages * args.latency_us * 1e-6 + gather_bytes / (args.bandwidth_gbps * 1e9)
    rank0 = assemble / (args.gflops * 1e9 / 10)
    return total_bytes, flops, messages, read, compute, comm, rank0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gflops", type=float, default=30.0, help="GEMM rate per rank (measured: 23–45)")
    parser.add_argument("--read-gbps", type=float, default=1.0, help="read bandwidth per rank")
    parser.add_argument("--latency-us", type=float, default=5.0)
    parser.add_argument("--bandwidth-gbps", type=float, default=10.0, help="into rank 0")
    args = parser.parse_args()
    print("| preset | ranks | GB read/rank | TFLOP/rank | messages | read s | fit s | comm s | rank-0 assembly s | total s | efficiency vs 1 rank |")
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
