#!/usr/bin/env bash
# The scale-points jobs end with ctscale-report, without a scheduler: stub programs (which
# record their command lines and create their outputs) under a faked Slurm/PBS environment.
#  - a job that ran every preset runs the report over every preset's results file;
#  - an array task runs it only when every preset's results file is there;
#  - without ctscale-report the job warns and still succeeds.
source "$(dirname "$0")/lib.sh"
work=$(workdir job_scripts_report)
stubs=$work/stubs; mkdir -p "$stubs/bin" "$stubs/bin-noreport" "$stubs/path"
cat > "$stubs/path/mpirun" <<'STUB'
#!/usr/bin/env bash
while [ $# -gt 0 ] && [[ $1 == -* ]]; do case $1 in -n|-machinefile) shift 2 ;; *) shift ;; esac; done
exec "$@"
STUB
for dir in bin bin-noreport; do
  for prog in ctscale-mpi ctscale-synth ctscale-report; do
    [ "$dir/$prog" != bin-noreport/ctscale-report ] || continue
    cat > "$stubs/$dir/$prog" <<STUB
#!/usr/bin/env bash
case " \$* " in *" --help "*) echo "  --resume"; exit 0 ;; *" --version "*) echo "$prog (stub)"; exit 0 ;; esac
echo "$prog \$*" >> "\$STUB_LOG"
while [ \$# -gt 0 ]; do case \$1 in -o|--output) touch "\$2"; shift ;; esac; shift; done
STUB
  done
done
chmod +x "$stubs"/*/*

# run_job NAME SCRIPT [VAR=VALUE...]: as in test_job_scripts_dryrun.sh; output in $work/NAME.
# The launcher is pinned to the mpirun stub: where Slurm is installed (ctest -L slurm starts
# it), srun would otherwise be chosen and ask the controller about the fake job id.
run_job() {
  local name=$1 script=$2; shift 2
  mkdir -p "$work/$name"; : > "$work/$name.calls"
  (cd "$work/$name" && env -u SLURM_JOB_ID -u PBS_JOBID -u SLURM_NTASKS -u SLURM_ARRAY_JOB_ID \
     -u SLURM_ARRAY_TASK_ID -u SLURM_RESTART_COUNT -u CTSCALE_RANKS -u CTSCALE_OUTDIR \
     PATH="$stubs/path:$PATH" STUB_LOG="$work/$name.calls" CTSCALE_BIN="$stubs/bin" CTSCALE_LAUNCHER=mpirun "$@" \
     bash "$SRC/jobs/$script" 2> "$work/$name.log" > /dev/null)
}
calls() { grep -cE -- "$2" "$work/$1.calls" || true; }

out=$work/slurm_all/ctscale-scale-10
run_job slurm_all ctscale-scale-points.slurm SLURM_JOB_ID=10 SLURM_NTASKS=2 CTSCALE_PRESETS=tiny-10m,gpt2-124m ||
  fail "slurm_all failed: $(cat "$work/slurm_all.log")"
grep -qxF "ctscale-report $out/results-tiny-10m.h5 $out/results-gpt2-124m.h5 -o $out/report" "$work/slurm_all.calls" ||
  fail "no report over both presets: $(cat "$work/slurm_all.calls")"
tail -n 1 "$work/slurm_all.log" | grep -q 'done: ' || fail "slurm_all: no final done: line"

# Array: task 0 of two finds the other preset missing; task 1 then finds both and reports.
array=(SLURM_ARRAY_JOB_ID=20 SLURM_NTASKS=2 CTSCALE_PRESETS="tiny-10m gpt2-124m" CTSCALE_OUTDIR="$work/array/out")
run_job array ctscale-scale-points.slurm SLURM_JOB_ID=21 SLURM_ARRAY_TASK_ID=0 "${array[@]}" || fail "array task 0 failed"
[ "$(calls array ctscale-report)" = 0 ] || fail "array task 0 ran the report before gpt2-124m was done"
grep -q 'report: not yet, no results for gpt2-124m' "$work/array.log" || fail "array task 0 did not say why: $(cat "$work/array.log")"
run_job array ctscale-scale-points.slurm SLURM_JOB_ID=22 SLURM_ARRAY_TASK_ID=1 "${array[@]}" || fail "array task 1 failed"
[ "$(calls array '^ctscale-report .*results-tiny-10m.h5 .*results-gpt2-124m.h5 -o .*/out/report$')" = 1 ] ||
  fail "the last array task did not run the report: $(cat "$work/array.calls")"

# PBS, and no ctscale-report: a warning, exit 0.
printf 'node1\nnode1\n' > "$work/nodefile"
run_job pbs_noreport ctscale-scale-points.pbs PBS_JOBID=30.server PBS_NODEFILE="$work/nodefile" \
  PBS_O_WORKDIR="$work/pbs_noreport" CTSCALE_PRESETS=tiny-10m CTSCALE_BIN="$stubs/bin-noreport" ||
  fail "a job without ctscale-report failed: $(cat "$work/pbs_noreport.log")"
grep -q 'warning: ctscale-report not found' "$work/pbs_noreport.log" || fail "no warning about the missing ctscale-report"
echo "PASS" >&2
