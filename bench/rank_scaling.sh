#!/usr/bin/env bash
# ctscale-mpi at 1, 2, 4, …, 256 ranks of this machine against an empty MPI program (MPI_Init,
# one barrier, MPI_Finalize) at the same count, same invocation: wall time, the stages'
# own times (the results file's time_* attributes), what remains (start-up, exit, waits
# outside the stages), peak RSS per rank and the exit status. Markdown on stdout.
#
# usage: bench/rank_scaling.sh [BIN_DIR]      (default build/bin)
# environment: RANKS (default "1 2 4 8 16 32 64 128 256"), KEEP=1 keeps the work directory
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$repo/build/bin}
source "$repo/scripts/mpi-env.sh"
work=$(mktemp -d)
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT
cat >"$work/empty.c" <<'C'
#include <mpi.h>
int main(int argc, char** argv) { MPI_Init(&argc, &argv); MPI_Barrier(MPI_COMM_WORLD); MPI_Finalize(); return 0; }
C
mpicc -O2 -o "$work/empty" "$work/empty.c"
mpirun -n 2 "$bin/ctscale-synth" --d-model 64 --layers 2 --ffn 256 --vocab-size 1000 -q -o "$work/ckpt.h5"
mpirun -n 2 "$bin/ctscale-synth" --tokens 200000 --vocab-size 4000 -q -o "$work/tokens.h5"
cat >"$work/stages.py" <<'PY'
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    print(f"{sum(float(f.attrs[k]) for k in ('time_read', 'time_fit', 'time_spectral', 'time_transition')):.2f}")
PY
# Each rank under its own /usr/bin/time: its peak RSS (KiB) in <prefix>.rank<R>.
timer='exec /usr/bin/time -q -f %M -o "$0.rank${OMPI_COMM_WORLD_RANK:-0}" "$@"'

# timed CMD...: runs CMD; prints "wall_seconds exit_status".
timed() { local t0 t1 rc=0; t0=$(date +%s.%N); "$@" >/dev/null 2>"$work/err" || rc=$?; t1=$(date +%s.%N)
          echo "$(echo "$t1 - $t0" | bc) $rc"; }

echo "| ranks | empty MPI (s) | ctscale-mpi (s) | beyond empty (s) | stages (s) | outside the stages (s) | peak RSS/rank, max (MB) | exit |"
echo "|---|---|---|---|---|---|---|---|"
for n in ${RANKS:-1 2 4 8 16 32 64 128 256}; do
  read -r empty empty_rc < <(timed mpirun -n "$n" "$work/empty")
  rm -f "$work/rss".rank* "$work/r.h5"
  read -r wall rc < <(timed mpirun -n "$n" bash -c "$timer" "$work/rss" "$bin/ctscale-mpi" --input "$work/ckpt.h5" \
                        --tokens "$work/tokens.h5" --vocab 500,1000 -q -o "$work/r.h5")
  stages=$(/usr/bin/python3 "$work/stages.py" "$work/r.h5" 2>/dev/null || echo nan)
  rss=$(cat "$work/rss".rank* 2>/dev/null | sort -n | tail -1)
  printf '| %s | %.1f%s | %.1f | %.1f | %s | %.1f | %.0f | %s |\n' "$n" "$empty" \
    "$([ "$empty_rc" = 0 ] || echo " (exit $empty_rc)")" "$wall" "$(echo "$wall - $empty" | bc)" "$stages" \
    "$(echo "$wall - ${stages/nan/0}" | bc)" "$(echo "${rss:-0} / 1024" | bc)" "$rc"
done
