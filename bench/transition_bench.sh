#!/usr/bin/env bash
# Transition benchmark (BENCHMARKS.md): V = 4000 on the Brown stream, ctscale's stage on 2 ranks
# (sparse Gram PRs of the stream and of its null: 12 PRs) against a dense NumPy computation
# of the stream's six PRs (bench/transition_numpy.py, OpenBLAS on the same 2 cores). Whole
# processes, best of REPEAT runs each (wall and cpu seconds: on a shared machine the cpu
# ratio is the steadier one); checks the six PRs agree (relative 1e-8).
#   usage: bench/transition_bench.sh [V]     (env: REPEAT=3, BUILD=build)
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
cd "$REPO"
V="${1:-4000}"
REPEAT="${REPEAT:-3}"
BUILD="${BUILD:-build}"
DUMP="$BUILD/tests/transition_dump"
[ -x "$DUMP" ] || { echo "build first: cmake --build $BUILD --target transition_dump" >&2; exit 2; }
source scripts/mpi-env.sh
TOKENS="$(bash scripts/fetch-brown.sh)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

source bench/timing.sh  # best, timed
for r in $(seq "$REPEAT"); do
  timed /dev/null mpiexec -n 2 "$DUMP" "$TOKENS" "$WORK/ctscale.json" "$V" >> "$WORK/ctscale.times"
  OPENBLAS_NUM_THREADS=2 timed "$WORK/numpy.json" /usr/bin/python3 bench/transition_numpy.py "$TOKENS" "$V" \
    >> "$WORK/numpy.times"
done
CT=$(best < "$WORK/ctscale.times")  # the fastest run: "wall cpu"
NP=$(best < "$WORK/numpy.times")
LOAD=$(cut -d' ' -f1 /proc/loadavg)
/usr/bin/python3 - "$WORK/ctscale.json" "$WORK/numpy.json" "$CT" "$NP" "$V" "$LOAD" <<'PY'
import json, sys
ours, base = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
(ct, ccpu), (nt, ncpu) = map(float, sys.argv[3].split()), map(float, sys.argv[4].split())
v, load = sys.argv[5], sys.argv[6]
row = ours["rows"][0]
worst = max(abs(row[k] - base[k]) / abs(base[k]) for k in base if k.startswith("pr_"))
print(f"transition V={v}, Brown ({ours['tokens']} tokens), load average {load}:")
print(f"  ctscale, 2 ranks (12 PRs: stream + null): {ct:.2f} s wall, {ccpu:.2f} s cpu")
print(f"  dense NumPy, 2 threads (6 PRs):           {nt:.2f} s wall, {ncpu:.2f} s cpu")
print(f"  ratio {nt / ct:.1f}x wall, {ncpu / ccpu:.1f}x cpu; max relative PR difference {worst:.1e}")
sys.exit(0 if worst <= 1e-8 else 1)
PY
