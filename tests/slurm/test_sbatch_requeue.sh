#!/usr/bin/env bash
# Requeue and --resume on the local Slurm, with the real ctscale-mpi: a ctscale-one job on
# tiny-10m (a long K list, so the run takes some seconds) is requeued by `scontrol requeue`
# as soon as its first per-matrix progress record is written, as preemption or a node
# failure would interrupt it. The script reruns with SLURM_RESTART_COUNT=1 and passes
# --resume (the binary lists it in --help), the rerun starts from the records already
# there, and the job completes with a valid results file. A thin wrapper in front of
# ctscale-mpi records each run's arguments and issues the requeue.
source "$(dirname "$0")/lib.sh"
require_cluster
help=$("$BIN/ctscale-mpi" --help 2>/dev/null || true)
if ! grep -q -- '--resume' <<< "$help"; then
  echo "SKIP: this ctscale-mpi has no --resume option" >&2
  exit 77
fi
work=$(workdir sbatch_requeue)
"$BIN/ctscale-synth" --preset tiny-10m --quiet -o "$work/tiny-10m.h5" >/dev/null
mkdir -p "$work/bin"
cat > "$work/bin/ctscale-mpi" <<STUB
#!/usr/bin/env bash
real=$BIN/ctscale-mpi
STUB
cat >> "$work/bin/ctscale-mpi" <<'STUB'
case " $* " in *" --help "*|*" --version "*) exec "$real" "$@" ;; esac
out="" prev=""
for a in "$@"; do [ "$prev" = --output ] && out=$a; prev=$a; done
records() { ls "$out.ctscale-progress" 2>/dev/null | grep -c '^fit-[0-9]*$' || true; }
if [ "${SLURM_PROCID:-0}" = 0 ]; then
  echo "restart=${SLURM_RESTART_COUNT:-0} records_at_start=$(records) args: $*" >> "$STUB_LOG"
  if [ "${SLURM_RESTART_COUNT:-0}" = 0 ]; then
    (
      for ((i = 0; i < 1200; i++)); do [ "$(records)" -ge 1 ] && break; sleep 0.05; done
      echo "requeue with $(records) records" >> "$STUB_LOG"
      scontrol requeue "$SLURM_JOB_ID"
    ) &
  fi
fi
exec "$real" "$@"
STUB
chmod +x "$work/bin/ctscale-mpi"
ln -s "$BIN/ctscale-job" "$work/bin/ctscale-job"   # the job scripts' body, beside the programs

k=$(seq -s' ' 2 2 48)   # 24 basis sizes: about 5-10 s on 2 ranks
id=$(sbatch --parsable -n 2 --mem-per-cpu=1G $(fit_options 2) -D "$work" \
       --export=ALL,CTSCALE_BIN="$work/bin",STUB_LOG="$work/runs.log",CTSCALE_INPUT="$work/tiny-10m.h5",CTSCALE_K="$k" \
       "$SRC/jobs/ctscale-one.slurm" | cut -d';' -f1)
echo "submitted job $id" >&2
wait_job "$id" 300
log=$work/ctscale-one-$id.out
check_job "$id" "$log"
echo "---- runs ----" >&2; cat "$work/runs.log" >&2
[ "$(job_field "$id" Restarts)" = 1 ] || fail "job $id: Restarts=$(job_field "$id" Restarts), expected 1"
[ "$(grep -c '^restart=' "$work/runs.log")" -eq 2 ] || fail "expected two runs of ctscale-mpi"
grep -q '^restart=0 .*args: ' "$work/runs.log" || fail "no first run"
grep '^restart=0 ' "$work/runs.log" | grep -q -- '--resume' && fail "the first run was given --resume"
grep -q '^requeue with [1-9][0-9]* records' "$work/runs.log" || fail "the first run was not requeued after a record"
grep -qE "^restart=1 records_at_start=[1-9][0-9]* args: .*--output $work/ctscale-one-$id\.h5 .*--resume( |$)" "$work/runs.log" ||
  fail "the requeued run was not given --resume with the same output, or found no records to resume from"
grep -q 'DUE TO JOB REQUEUE' "$log" || fail "the log does not show the requeue"
validate "$work/ctscale-one-$id.h5"
echo "PASS: job $id" >&2
