#!/usr/bin/env bash
# --dry-run's estimates against the run they estimate, and each stage's achieved rate
# against this machine's floor, in one invocation (BENCHMARKS.md, "The 7B point").
#
#   bash bench/dry_run_accuracy.sh [OUTDIR]          # llama-1b and llama-7b, pr and full
#   CTSCALE_BENCH_CASES="llama-7b:full" bash bench/dry_run_accuracy.sh
#   CTSCALE_BENCH_SYNTH=1 ...                         # synthesise the checkpoints afresh, timed
#
# For each case MODEL:MODE, on CTSCALE_BENCH_RANKS ranks (default 2): `--dry-run --json`
# (its calibration included), then the run itself with -o, then the comparison — read, fit,
# spectra: estimate, measured, ratio; peak memory per rank: planned against the run's
# peak_rss_bytes. The floors: the checkpoint read from the page cache (cat, after one warm
# read) and the plan's own DGEMM/DSYRK rates. Checkpoints come from build/scale-points
# (scripts/scale-points.sh), or are synthesised into OUTDIR (timed, with each rank's peak
# RSS) when missing or with CTSCALE_BENCH_SYNTH=1. Takes the CPU lock that other
# benchmarks take, so runs do not overlap. Writes OUTDIR/accuracy.md.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$here/scripts/mpi-env.sh"
out=${1:-$here/build/bench-dry-run}
cases=${CTSCALE_BENCH_CASES:-llama-1b:pr llama-1b:full llama-7b:pr llama-7b:full}
ranks=${CTSCALE_BENCH_RANKS:-2}
bin=${CTSCALE_BIN:-$here/build/bin}
checkpoints=$here/build/scale-points/checkpoints
mkdir -p "$out" "$checkpoints"
exec 8> /tmp/ctscale-cpu.lock
flock 8

for case in $cases; do
  model=${case%%:*} mode=${case#*:}
  ckpt=$checkpoints/$model-bf16.h5
  if [ "${CTSCALE_BENCH_SYNTH:-0}" = 1 ] || [ ! -s "$ckpt" ]; then
    ckpt=$out/$model-bf16.h5
    if [ ! -s "$out/$model.synth" ]; then
      echo "synthesising $ckpt" >&2
      start=$(date +%s.%N)
      rm -f "$out/$model".synth.rss.*
      # shellcheck disable=SC2016  # expanded by each rank's shell
      mpirun -n "$ranks" bash -c 'exec /usr/bin/time -q -f %M -o "$0.$OMPI_COMM_WORLD_RANK" "$@"' \
        "$out/$model.synth.rss" "$bin/ctscale-synth" --preset "$model" --dtype bf16 -o "$ckpt" -q
      end=$(date +%s.%N)
      echo "$start $end $(cat "$out/$model".synth.rss.* | sort -n | tail -1)" > "$out/$model.synth"
    fi
  fi
  cat "$ckpt" > /dev/null   # warm: what a second run of the same checkpoint finds
  start=$(date +%s.%N); cat "$ckpt" > /dev/null; end=$(date +%s.%N)
  echo "$(stat -c %s "$ckpt") $start $end" > "$out/$model.page-cache"
  echo "$case: dry run" >&2
  mpirun -n "$ranks" "$bin/ctscale-mpi" -i "$ckpt" --spectral "$mode" --dry-run --json "$out/$case.plan.json" \
    > "$out/$case.plan.txt"
  echo "$case: run" >&2
  start=$(date +%s.%N)
  mpirun -n "$ranks" "$bin/ctscale-mpi" -i "$ckpt" --spectral "$mode" -o "$out/$case.h5" -q > /dev/null
  end=$(date +%s.%N)
  echo "$start $end" > "$out/$case.wall"
done
/usr/bin/python3 "$here/bench/dry_run_accuracy.py" "$out" $cases | tee "$out/accuracy.md"
