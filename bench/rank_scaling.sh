#!/usr/bin/env bash
# ctscale-mpi at 1, 2, 4, …, 256 ranks of this machine against an empty MPI program (MPI_Init,
# one barrier, MPI_Finalize) at the same count, same invocation: wall time, its ratio to the
# empty program's, where ctscale's time went (CTSCALE_TRACE=1 phases, max over ranks: from
# mpirun's start until MPI_Init returns, opening the inputs, each stage, the results, and
# MPI_Finalize with the exit), the stages' own times (the results file's time_* attributes),
# the performance model's prediction for the stages (--dry-run per-rank estimates × working
# ranks/cores once they outnumber the cores), peak RSS per rank and the exit status. Markdown
# on stdout. "working" is the results file's working_ranks (--min-work-per-rank).
#
# usage: bench/rank_scaling.sh [BIN_DIR]      (default build/bin)
# environment: RANKS (default "1 2 4 8 16 32 64 128 256"), MIN_WORK (ctscale-mpi's
#   --min-work-per-rank; default its own, 0: every rank works), KEEP=1 keeps the work directory
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
    print(f"{sum(float(f.attrs[k]) for k in ('time_read', 'time_fit', 'time_spectral', 'time_transition')):.2f}",
          int(f.attrs["working_ranks"]))
PY
cat >"$work/trace.py" <<'PY'
# The CTSCALE_TRACE table (stderr) as columns that add up to the wall time: start-up (mpirun's
# start until MPI_Init returns on rank 0, which waits for the last rank), open (options,
# checks, inputs, journal), fit, spectral, transition, results (max over ranks), and after
# them until mpirun returned (MPI_Finalize and exit).
import sys
t0, t1 = float(sys.argv[2]), float(sys.argv[3])
rows, end = {}, None
for line in open(sys.argv[1]):
    if not line.startswith("ctscale trace:"):
        continue
    words = line.split()
    if words[2] == "end":
        end = float(words[4])
    elif words[2] != "phase":
        name = " ".join(words[2:-2])
        rank0, most = float(words[-2]), float(words[-1])
        prev = rows.get(name, (0.0, 0.0))
        rows[name] = (prev[0] + rank0, prev[1] + most)
def col(*names, rank0=False):
    return sum(rows.get(n, (0.0, 0.0))[0 if rank0 else 1] for n in names)
transition = sum(v[1] for k, v in rows.items() if k.startswith("transition"))
out = [col("(launch to first phase)", "mpi_init", rank0=True),
       col("options", "check_outputs", "open_checkpoint", "journal"), col("fit"), col("spectral"), transition,
       col("results"), (t1 - end) if end else float("nan")]
print(" ".join(f"{x:.1f}" for x in out))
PY
# Each rank under its own /usr/bin/time: its peak RSS (KiB) in <prefix>.rank<R>.
timer='exec /usr/bin/time -q -f %M -o "$0.rank${OMPI_COMM_WORLD_RANK:-0}" "$@"'

# timed CMD...: runs CMD; prints "wall_seconds exit_status start end" (Unix times).
timed() { local t0 t1 rc=0; t0=$(date +%s.%N); export CTSCALE_TRACE_T0=$t0
          "$@" >/dev/null 2>"$work/err" || rc=$?; t1=$(date +%s.%N)
          echo "$(echo "$t1 - $t0" | bc) $rc $t0 $t1"; }

# The performance model's prediction for the stages (ctscale-mpi --dry-run, docs/dry-run.md):
# per-rank estimates at each rank count, times working ranks / cores once they outnumber the cores.
cores=$(nproc)
min_work=(${MIN_WORK:+--min-work-per-rank "$MIN_WORK"})
mpirun -n 2 "$bin/ctscale-mpi" --input "$work/ckpt.h5" --tokens "$work/tokens.h5" --vocab 500,1000 --dry-run "${min_work[@]}" \
  --plan-ranks "$(echo ${RANKS:-1 2 4 8 16 32 64 128 256} | tr ' ' ,)" --json "$work/plan.json" > /dev/null
model() { /usr/bin/python3 -c 'import json, sys
n, cores = int(sys.argv[2]), int(sys.argv[3])
e = [e for e in json.load(open(sys.argv[1]))["estimates"] if e["ranks"] == n][0]
print(f"{e['"'"'total_seconds'"'"'] * max(1.0, e['"'"'working_ranks'"'"'] / cores):.2f}")' "$work/plan.json" "$1" "$cores"; }

echo "| ranks | working | empty MPI (s) | ctscale-mpi (s) | beyond empty (s) | ratio | start-up | open | fit | spectral | transition | results | finalize, exit | stages (s) | model: stages (s) | peak RSS/rank, max (MB) | exit |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for n in ${RANKS:-1 2 4 8 16 32 64 128 256}; do
  read -r empty empty_rc _ _ < <(timed mpirun -n "$n" "$work/empty")
  rm -f "$work/rss".rank* "$work/r.h5"
  read -r wall rc t0 t1 < <(CTSCALE_TRACE=1 timed mpirun -n "$n" -x CTSCALE_TRACE -x CTSCALE_TRACE_T0 bash -c "$timer" \
                              "$work/rss" "$bin/ctscale-mpi" --input "$work/ckpt.h5" \
                              --tokens "$work/tokens.h5" --vocab 500,1000 "${min_work[@]}" -q -o "$work/r.h5")
  read -r stages working < <(/usr/bin/python3 "$work/stages.py" "$work/r.h5" 2>/dev/null || echo nan -)
  breakdown=$(/usr/bin/python3 "$work/trace.py" "$work/err" "$t0" "$t1" 2>/dev/null || echo "- - - - - - -")
  rss=$(cat "$work/rss".rank* 2>/dev/null | sort -n | tail -1)
  printf '| %s | %s | %.1f%s | %.1f | %.1f | %.2f | %s | %s | %s | %.0f | %s |\n' "$n" "$working" "$empty" \
    "$([ "$empty_rc" = 0 ] || echo " (exit $empty_rc)")" "$wall" "$(echo "$wall - $empty" | bc)" \
    "$(echo "$wall / $empty" | bc -l)" "$(echo "$breakdown" | tr ' ' '|' | sed 's/|/ | /g')" "$stages" \
    "$(model "$n")" "$(echo "${rss:-0} / 1024" | bc)" "$rc"
done
