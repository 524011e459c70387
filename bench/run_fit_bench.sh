#!/usr/bin/env bash
# Fit-stage benchmark of BENCHMARKS.md on a gpt2-124m float32 checkpoint.
#
# Times whole processes (wall clock), best of REPEATS interleaved rounds after one
# untimed warm-up round (which also puts the checkpoint in the page cache):
#   a) ctscale      mpirun -n 2 --bind-to core ctscale-mpi --spectral none (default K settings)
#   b) numpy        bench/fit_numpy.py (OpenBLAS free to use both cores)
#   c) ctscale_k8   as a) with --k 8 --k-rule none
#   d) h5py_read    bench/h5py_read.py (read every 2-D dataset as stored)
# and reports numpy/ctscale (target >= 2) and ctscale_k8/h5py_read (target <= 1.5)
# as a Markdown snippet on stdout. Progress and logs go to stderr / the work directory.
#
# Usage: bench/run_fit_bench.sh [BIN_DIR]
# Environment:
#   CTSCALE_BIN_DIR  directory with ctscale-mpi and ctscale-synth (or the first argument);
#                    default: the first of build/bin, build/src/app that has ctscale-mpi
#   BENCH_DIR        work directory (default: a fresh temporary one, removed at the end)
#   KEEP=1           keep the work directory (checkpoint, outputs, logs)
#   REPEATS          timed rounds (default 3)
#   NP               MPI ranks for ctscale-mpi (default 2)
#   PYTHON           interpreter with numpy/scipy/h5py (default /usr/bin/python3)
#   CHECK=1          also check the ctscale output against tests/reference/fit_reference.py
# OPENBLAS_CORETYPE and the rest of the environment are left as they are.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$HERE")"
PYTHON="${PYTHON:-/usr/bin/python3}"
REPEATS="${REPEATS:-3}"
NP="${NP:-2}"

die() { echo "run_fit_bench.sh: $*" >&2; exit 1; }
log() { echo "[bench] $*" >&2; }

find_bin_dir() {
  local candidate
  for candidate in "${1:-}" "${CTSCALE_BIN_DIR:-}" "$REPO/build/bin" "$REPO/build/src/app"; do
    if [[ -n "$candidate" && -x "$candidate/ctscale-mpi" ]]; then
      echo "$candidate"
      return
    fi
  done
  die "ctscale-mpi not found (pass BIN_DIR or set CTSCALE_BIN_DIR)"
}

BIN_DIR="$(find_bin_dir "${1:-}")"
[[ -x "$BIN_DIR/ctscale-synth" ]] || die "$BIN_DIR/ctscale-synth not found"
command -v mpirun >/dev/null || die "mpirun not on PATH"

if [[ -n "${BENCH_DIR:-}" ]]; then
  WORK="$BENCH_DIR"
  mkdir -p "$WORK"
else
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/ctscale-fit-bench.XXXXXX")"
  [[ "${KEEP:-0}" == 1 ]] || trap 'rm -rf "$WORK"' EXIT
fi
CKPT="$WORK/gpt2.h5"

source "$REPO/scripts/mpi-env.sh"  # root, one-node transport (pml ob1), one BLAS thread
MPIRUN=(mpirun -n "$NP" --bind-to core -x OPENBLAS_NUM_THREADS=1)

# The commands, by name. Each runs as one whole process tree.
run_case() {
  case "$1" in
    ctscale)    OPENBLAS_NUM_THREADS=1 "${MPIRUN[@]}" "$BIN_DIR/ctscale-mpi" --input "$CKPT" \
                  --spectral none --quiet -o "$WORK/out.h5" ;;
    numpy)      env -u OPENBLAS_NUM_THREADS -u OMP_NUM_THREADS \
                  "$PYTHON" "$HERE/fit_numpy.py" "$CKPT" ;;
    ctscale_k8) OPENBLAS_NUM_THREADS=1 "${MPIRUN[@]}" "$BIN_DIR/ctscale-mpi" --input "$CKPT" \
                  --spectral none --quiet --k 8 --k-rule none -o "$WORK/out_k8.h5" ;;
    h5py_read)  "$PYTHON" "$HERE/h5py_read.py" "$CKPT" ;;
    *) die "unknown case $1" ;;
  esac
}

# Wall seconds of one run of a case; its output goes to $WORK/<case>.log.
time_case() {
  local start end
  start=$(date +%s%N)
  if ! run_case "$1" >"$WORK/$1.log" 2>&1; then
    cat "$WORK/$1.log" >&2
    die "case $1 failed (log above)"
  fi
  end=$(date +%s%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'
}

CASES=(ctscale numpy ctscale_k8 h5py_read)
declare -A BEST ALL

generate_checkpoint() {
  if [[ -s "$CKPT" ]]; then
    log "reusing $CKPT"
    return
  fi
  log "generating gpt2-124m f32 checkpoint in $CKPT"
  mpirun -n "$NP" --bind-to none "$BIN_DIR/ctscale-synth" --preset gpt2-124m --dtype f32 \
    -o "$CKPT" >"$WORK/synth.log" 2>&1 || { cat "$WORK/synth.log" >&2; die "ctscale-synth failed"; }
}

measure() {
  local round c t
  log "warm-up round"
  for c in "${CASES[@]}"; do time_case "$c" >/dev/null; done
  for ((round = 1; round <= REPEATS; round++)); do
    for c in "${CASES[@]}"; do
      t=$(time_case "$c")
      ALL[$c]="${ALL[$c]:-}${ALL[$c]:+ }$t"
      if [[ -z "${BEST[$c]:-}" ]] || awk -v t="$t" -v b="${BEST[$c]}" 'BEGIN { exit !(t < b) }'; then
        BEST[$c]=$t
      fi
      log "round $round  $c  ${t}s"
    done
  done
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
verdict() { awk -v r="$1" -v t="$3" -v op="$2" \
  'BEGIN { ok = (op == ">=") ? (r >= t) : (r <= t); print ok ? "met" : "NOT met" }'; }

report() {
  local r1 r2
  r1=$(ratio "${BEST[numpy]}" "${BEST[ctscale]}")
  r2=$(ratio "${BEST[ctscale_k8]}" "${BEST[h5py_read]}")
  cat <<EOF
### Fit stage, gpt2-124m float32 ($(date -u +%Y-%m-%d), $(nproc) cores, best of $REPEATS, whole processes)

| run | command | best wall s | all runs s |
|---|---|---|---|
| ctscale | \`mpirun -n $NP --bind-to core ctscale-mpi --spectral none\` (K 4,8,16 + rule) | ${BEST[ctscale]} | ${ALL[ctscale]} |
| numpy | \`bench/fit_numpy.py\` (one GEMM per matrix, Gram trick, OpenBLAS threads) | ${BEST[numpy]} | ${ALL[numpy]} |
| ctscale_k8 | \`... --k 8 --k-rule none\` | ${BEST[ctscale_k8]} | ${ALL[ctscale_k8]} |
| h5py_read | \`bench/h5py_read.py\` (every 2-D dataset, as stored) | ${BEST[h5py_read]} | ${ALL[h5py_read]} |

| ratio | value | target | |
|---|---|---|---|
| numpy / ctscale | $r1 | >= 2 | $(verdict "$r1" ">=" 2) |
| ctscale_k8 / h5py_read | $r2 | <= 1.5 | $(verdict "$r2" "<=" 1.5) |
EOF
}

check_output() {
  log "checking $WORK/out.h5 against the NumPy/SciPy reference"
  if "$PYTHON" "$REPO/tests/reference/fit_reference.py" compare "$CKPT" "$WORK/out.h5" \
       >"$WORK/check.log"; then
    tail -1 "$WORK/check.log" >&2
  else
    tail -20 "$WORK/check.log" >&2
    die "ctscale output disagrees with the reference (see $WORK/check.log)"
  fi
}

generate_checkpoint
measure
report
if [[ "${CHECK:-0}" == 1 ]]; then check_output; fi
