#!/usr/bin/env bash
# Whether a change moved performance: two builds of ctscale-mpi on the same checkpoint,
# timed in interleaved rounds (A B A B …, after one untimed warm-up round each that also
# fills the page cache), so a shared, noisy machine affects both alike. Prints each
# round's wall times and, per stage, the ratio of the medians (B/A) as Markdown.
#
# usage: bench/compare_builds.sh A_BIN_DIR B_BIN_DIR [CHECKPOINT]
# environment: ROUNDS (default 3), NP (ranks, default 2), ARGS (ctscale-mpi options,
#   default "--spectral pr"), PRESET (checkpoint made when none is given, default gpt2-124m)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
source "$repo/scripts/mpi-env.sh"
a=$1 b=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
checkpoint=${3:-$work/model.h5}
if [ -z "${3:-}" ]; then
  mpirun -n 2 "$a/ctscale-synth" --preset "${PRESET:-gpt2-124m}" -o "$checkpoint" -q
fi
rounds=${ROUNDS:-3} np=${NP:-2}
read -r -a args <<<"${ARGS:---spectral pr}"

run() {  # bin label round: one run; appends "label round wall read fit spectral" to times
  local start end
  start=$(date +%s.%N)
  mpirun -n "$np" --bind-to core "$1/ctscale-mpi" -i "$checkpoint" -o "$work/$2.h5" -q "${args[@]}" >/dev/null
  end=$(date +%s.%N)
  /usr/bin/python3 - "$work/$2.h5" "$2" "$3" "$start" "$end" >>"$work/times" <<'PY'
import sys, h5py
path, label, round_, start, end = sys.argv[1:]
with h5py.File(path, "r") as f:
    t = [float(f.attrs[k]) for k in ("time_read", "time_fit", "time_spectral")]
print(label, round_, f"{float(end) - float(start):.2f}", *(f"{v:.2f}" for v in t))
PY
}

run "$a" A warmup && run "$b" B warmup
for r in $(seq "$rounds"); do run "$a" A "$r"; run "$b" B "$r"; done
/usr/bin/python3 - "$work/times" "$a" "$b" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
timed = [r for r in rows if r[1] != "warmup"]
print(f"A = {sys.argv[2]}, B = {sys.argv[3]}; {len(timed) // 2} interleaved rounds after a warm-up\n")
print("| stage | A median (s) | B median (s) | B/A |\n|---|---|---|---|")
for column, stage in enumerate(("wall", "read", "fit", "spectral"), start=2):
    med = {side: statistics.median(float(r[column]) for r in timed if r[0] == side) for side in "AB"}
    ratio = f"{med['B'] / med['A']:.3f}" if med["A"] > 0 else "-"  # --spectral none: no spectral stage
    print(f"| {stage} | {med['A']:.2f} | {med['B']:.2f} | {ratio} |")
PY
