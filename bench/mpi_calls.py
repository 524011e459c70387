#!/usr/bin/python3
"""Summarises bench/mpi_calls.c's per-rank files: per phase, its wall time (rank 0 / max over
ranks) and per MPI function the calls per rank (max) and the seconds in them (mean / max over
ranks). usage: mpi_calls.py DIR"""
import collections
import glob
import os
import sys

ranks = sorted(glob.glob(os.path.join(sys.argv[1], "rank.*")), key=lambda p: int(p.rsplit(".", 1)[1]))
order = []
table = collections.defaultdict(lambda: collections.defaultdict(list))  # phase -> function -> [(calls, s)]
for path in ranks:
    for line in open(path):
        phase, function, calls, seconds = line.split()
        if phase not in order:
            order.append(phase)
        table[phase][function].append((int(calls), float(seconds)))
n = len(ranks)
print(f"{n} ranks")
print(f"{'phase':<22} {'function':<18} {'calls/rank':>10} {'s mean':>8} {'s max':>8}")
for phase in order:
    for function, values in table[phase].items():
        seconds = [s for _, s in values]
        calls = max(c for c, _ in values)
        label = "(wall)" if function == "-" else function
        print(f"{phase:<22} {label:<18} {calls:>10} {sum(seconds) / n:>8.3f} {max(seconds):>8.3f}")
