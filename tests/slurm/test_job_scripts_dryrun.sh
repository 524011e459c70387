#!/usr/bin/env bash
# The job scripts' logic, without a scheduler: each script runs under a faked Slurm or PBS
# environment (SLURM_*/PBS_* variables, a PBS node file) with stub srun, mpirun,
# ctscale-mpi, ctscale-synth and ctscale-report, and the commands it would launch are checked: rank count
# from SLURM_NTASKS / PBS_NODEFILE, srun --mpi=pmix vs mpirun -machinefile, outputs named
# by job id, --mem-per-rank from Slurm's memory, --resume on a rerun only when the binary
# has it, array tasks picking their preset, the scale points' closing report, the
# vocabulary sweep's --tokens check, and clear errors for bad settings. A copy of a script
# away from jobs/, as sbatch and qsub run it, finds the built ctscale-job through
# CTSCALE_BIN or PATH, and says so clearly when it cannot.
source "$(dirname "$0")/lib.sh"
work=$(workdir job_scripts_dryrun)
stubs=$work/stubs; mkdir -p "$stubs/path" "$stubs/bin" "$stubs/bin-old"
# Launchers: record the command line, then run the program once (as rank 0).
cat > "$stubs/path/srun" <<'STUB'
#!/usr/bin/env bash
if [ "${1:-}" = --mpi=list ]; then printf 'MPI plugin types are...\n\tnone\n\tpmi2\n\tpmix\n'; exit 0; fi
echo "srun $*" >> "$STUB_LOG"
while [ $# -gt 0 ] && [[ $1 == --* ]]; do shift; done
exec "$@"
STUB
cat > "$stubs/path/mpirun" <<'STUB'
#!/usr/bin/env bash
echo "mpirun $*" >> "$STUB_LOG"
while [ $# -gt 0 ] && [[ $1 == -* ]]; do case $1 in -n|-machinefile) shift 2 ;; *) shift ;; esac; done
exec "$@"
STUB
# Programs: a current one (lists --resume and --tokens; has ctscale-report) and an old one
# (none of these); both record their command line and create their output file.
for dir in bin bin-old; do
  for prog in ctscale-mpi ctscale-synth ctscale-report; do
    [ "$dir/$prog" != bin-old/ctscale-report ] || continue
    cat > "$stubs/$dir/$prog" <<STUB
#!/usr/bin/env bash
case " \$* " in
  *" --help "*) echo "  --input arg"; [ $dir = bin ] && { echo "  --resume"; echo "  --tokens arg"; }; exit 0 ;;
  *" --version "*) echo "$prog (stub)"; exit 0 ;;
esac
echo "$prog \$*" >> "\$STUB_LOG"
while [ \$# -gt 0 ]; do case \$1 in -o|--output) touch "\$2"; shift ;; esac; shift; done
STUB
  done
done
chmod +x "$stubs"/*/*

# run_job NAME SCRIPT [VAR=VALUE...]: runs jobs/SCRIPT (or SCRIPT, an absolute path) in
# $work/NAME with a clean scheduler environment plus the given variables; its stderr goes to
# $work/NAME.log, the programs' command lines to $work/NAME.calls. Returns the script's exit
# code. A script in jobs/ runs jobs/ctscale-job, beside it (the stubs have none).
run_job() {
  local name=$1 script=$2; shift 2
  mkdir -p "$work/$name"; : > "$work/$name.calls"
  (cd "$work/$name" && env -u SLURM_JOB_ID -u PBS_JOBID -u SLURM_NTASKS -u SLURM_MEM_PER_CPU \
     -u SLURM_CPUS_PER_TASK -u SLURM_RESTART_COUNT -u SLURM_ARRAY_JOB_ID -u SLURM_ARRAY_TASK_ID \
     -u CTSCALE_RANKS -u CTSCALE_MEM_PER_RANK -u CTSCALE_SPECTRAL -u CTSCALE_ARGS \
     PATH="$stubs/path:$PATH" STUB_LOG="$work/$name.calls" CTSCALE_BIN="$stubs/bin" "$@" \
     bash "$([[ $script == /* ]] || echo "$SRC/jobs/")$script" 2> "$work/$name.log" > /dev/null)
}
expect() {  # expect NAME REGEX: a recorded command line matches
  grep -qE -- "$2" "$work/$1.calls" || { cat "$work/$1.log" "$work/$1.calls" >&2; fail "$1: no call matching: $2"; }
}
expect_not() {
  ! grep -qE -- "$2" "$work/$1.calls" || { cat "$work/$1.calls" >&2; fail "$1: unexpected call matching: $2"; }
}
expect_log() {
  grep -qE -- "$2" "$work/$1.log" || { cat "$work/$1.log" >&2; fail "$1: log lacks: $2"; }
}

# Slurm: srun --mpi=pmix with SLURM_NTASKS ranks, cpus-per-task passed on, 3/4 of the memory.
run_job slurm_one ctscale-one.slurm SLURM_JOB_ID=77 SLURM_NTASKS=3 SLURM_MEM_PER_CPU=2000 \
  SLURM_CPUS_PER_TASK=2 CTSCALE_INPUT=/etc/hostname CTSCALE_SPECTRAL=pr CTSCALE_K="4 8"
expect slurm_one "^srun --mpi=pmix --ntasks=3 --kill-on-bad-exit=1 --cpus-per-task=2 $stubs/bin/ctscale-mpi "
expect slurm_one "ctscale-mpi --input /etc/hostname --output $work/slurm_one/ctscale-one-77.h5 --json $work/slurm_one/ctscale-one-77.json --mem-per-rank 3000M --spectral pr --k 4,8 --blas-threads 2$"
[ ! -e "$work/slurm_one/ctscale-one-77.h5.running" ] || fail "marker left after success"
# Not a rerun: no --resume. A requeue (SLURM_RESTART_COUNT=1): --resume, if the binary has it.
expect_not slurm_one "--resume"
run_job slurm_requeue ctscale-one.slurm SLURM_JOB_ID=78 SLURM_NTASKS=2 SLURM_RESTART_COUNT=1
expect slurm_requeue "ctscale-mpi --output $work/slurm_requeue/ctscale-one-78.h5 .*--resume$"
run_job slurm_requeue_old ctscale-one.slurm SLURM_JOB_ID=79 SLURM_NTASKS=2 SLURM_RESTART_COUNT=1 CTSCALE_BIN="$stubs/bin-old"
expect_not slurm_requeue_old "--resume"
expect_log slurm_requeue_old "has no --resume"
run_job slurm_noresume ctscale-one.slurm SLURM_JOB_ID=80 SLURM_NTASKS=2 SLURM_RESTART_COUNT=1 CTSCALE_RESUME=0
expect_not slurm_noresume "--resume"
# A new job into the output of an interrupted one (its .running marker is there): --resume.
mkdir -p "$work/slurm_marker"; touch "$work/slurm_marker/out.h5.running"
run_job slurm_marker ctscale-one.slurm SLURM_JOB_ID=83 SLURM_NTASKS=2 CTSCALE_OUTPUT="$work/slurm_marker/out.h5"
expect slurm_marker "ctscale-mpi --output $work/slurm_marker/out.h5 .*--resume$"
[ ! -e "$work/slurm_marker/out.h5.running" ] || fail "marker left after success"
# CTSCALE_LAUNCHER=mpirun inside Slurm; CTSCALE_RANKS overrides the task count.
run_job slurm_mpirun ctscale-one.slurm SLURM_JOB_ID=81 SLURM_NTASKS=4 CTSCALE_LAUNCHER=mpirun CTSCALE_RANKS=2
expect slurm_mpirun "^mpirun -n 2 $stubs/bin/ctscale-mpi "
# srun without the pmix plugin: fall back to mpirun.
run_job slurm_nopmix ctscale-one.slurm SLURM_JOB_ID=82 SLURM_NTASKS=2 CTSCALE_SRUN_MPI=pmix_v9
expect slurm_nopmix "^mpirun -n 2 "

# PBS: ranks = lines of PBS_NODEFILE, mpirun -machinefile, cd to PBS_O_WORKDIR, id without server.
printf 'node1\nnode1\nnode2\nnode2\nnode3\n' > "$work/nodefile"
mkdir -p "$work/pbs_submit"
run_job pbs_one ctscale-one.pbs PBS_JOBID=1234.pbs-server PBS_NODEFILE="$work/nodefile" \
  PBS_O_WORKDIR="$work/pbs_submit" CTSCALE_INPUT=/etc/hostname
expect pbs_one "^mpirun -n 5 -machinefile $work/nodefile $stubs/bin/ctscale-mpi --input /etc/hostname --output $work/pbs_submit/ctscale-one-1234.h5 "
expect_not pbs_one "--resume"
# A PBS rerun is recognised by the marker an unfinished run leaves.
touch "$work/pbs_submit/ctscale-one-1234.h5.running"
run_job pbs_rerun ctscale-one.pbs PBS_JOBID=1234.pbs-server PBS_NODEFILE="$work/nodefile" PBS_O_WORKDIR="$work/pbs_submit"
expect pbs_rerun "--output $work/pbs_submit/ctscale-one-1234.h5 .*--resume$"

# Scale points: all four presets in order with their dtypes; an array task takes one.
run_job scale_all ctscale-scale-points.slurm SLURM_JOB_ID=90 SLURM_NTASKS=2 CTSCALE_JOB_DRY_RUN=1
n=0
for p in tiny-10m:f32 gpt2-124m:f32 llama-1b:bf16 llama-7b:bf16; do
  expect_log scale_all "\+ srun --mpi=pmix --ntasks=2 .*ctscale-synth --preset ${p%:*} --dtype ${p#*:} -o $work/scale_all/ctscale-scale-90/ckpt-${p%:*}-${p#*:}.h5.partial"
  expect_log scale_all "ctscale-mpi --input $work/scale_all/ctscale-scale-90/ckpt-${p%:*}-${p#*:}.h5 --output $work/scale_all/ctscale-scale-90/results-${p%:*}.h5 "
  n=$((n + 1))
done
[ ! -s "$work/scale_all.calls" ] || fail "CTSCALE_JOB_DRY_RUN=1 ran programs: $(cat "$work/scale_all.calls")"
run_job scale_array ctscale-scale-points.slurm SLURM_JOB_ID=93 SLURM_ARRAY_JOB_ID=91 SLURM_ARRAY_TASK_ID=2 SLURM_NTASKS=2 CTSCALE_JOB_DRY_RUN=1
expect_log scale_array "ctscale-synth --preset llama-1b --dtype bf16 -o $work/scale_array/ctscale-scale-91/ckpt-llama-1b-bf16.h5.partial"
! grep -qE 'preset (tiny-10m|gpt2-124m|llama-7b)' "$work/scale_array.log" || fail "array task 2 ran other presets"
run_job scale_pbs_array ctscale-scale-points.pbs 'PBS_JOBID=555[1].server' PBS_ARRAY_INDEX=1 \
  PBS_NODEFILE="$work/nodefile" PBS_O_WORKDIR="$work/pbs_submit" CTSCALE_PRESETS=tiny-10m,gpt2-124m CTSCALE_DTYPE=f16
expect scale_pbs_array "^ctscale-synth --preset gpt2-124m --dtype f16 -o $work/pbs_submit/ctscale-scale-555/ckpt-gpt2-124m-f16.h5.partial$"
expect scale_pbs_array "^mpirun -n 5 -machinefile $work/nodefile .*ctscale-mpi --input $work/pbs_submit/ctscale-scale-555/ckpt-gpt2-124m-f16.h5 --output $work/pbs_submit/ctscale-scale-555/results-gpt2-124m.h5 "
[ -e "$work/pbs_submit/ctscale-scale-555/ckpt-gpt2-124m-f16.h5" ] || fail "checkpoint not renamed into place"
run_job scale_bad_index ctscale-scale-points.slurm SLURM_JOB_ID=94 SLURM_ARRAY_JOB_ID=94 SLURM_ARRAY_TASK_ID=7 SLURM_NTASKS=2 CTSCALE_JOB_DRY_RUN=1 &&
  fail "array index 7 of 4 presets accepted"
expect_log scale_bad_index "array index 7 but only 4 presets"

# The scale points end with ctscale-report over every preset's results: a job that ran them
# all at its end; an array task only once every preset's results file is there; without
# ctscale-report the job warns and still succeeds.
out=$work/report_all/ctscale-scale-10
run_job report_all ctscale-scale-points.slurm SLURM_JOB_ID=10 SLURM_NTASKS=2 CTSCALE_PRESETS=tiny-10m,gpt2-124m
expect report_all "^ctscale-report $out/results-tiny-10m.h5 $out/results-gpt2-124m.h5 -o $out/report$"
tail -n 1 "$work/report_all.log" | grep -q 'done: ' || fail "report_all: no final done: line"
array=(SLURM_ARRAY_JOB_ID=20 SLURM_NTASKS=2 CTSCALE_PRESETS="tiny-10m gpt2-124m" CTSCALE_OUTDIR="$work/report_array/out")
run_job report_array ctscale-scale-points.slurm SLURM_JOB_ID=21 SLURM_ARRAY_TASK_ID=0 "${array[@]}"
expect_not report_array "^ctscale-report"
expect_log report_array "report: not yet, no results for gpt2-124m"
run_job report_array ctscale-scale-points.slurm SLURM_JOB_ID=22 SLURM_ARRAY_TASK_ID=1 "${array[@]}"
expect report_array "^ctscale-report .*results-tiny-10m.h5 .*results-gpt2-124m.h5 -o .*/out/report$"
run_job report_missing ctscale-scale-points.pbs PBS_JOBID=30.server PBS_NODEFILE="$work/nodefile" \
  PBS_O_WORKDIR="$work/pbs_submit" CTSCALE_PRESETS=tiny-10m CTSCALE_BIN="$stubs/bin-old" ||
  fail "a job without ctscale-report failed: $(cat "$work/report_missing.log")"
expect_log report_missing "warning: ctscale-report not found"

# Vocabulary sweep: synthesises a token stream, passes --tokens/--vocab; refuses an old binary.
run_job vocab ctscale-vocab-sweep.slurm SLURM_JOB_ID=95 SLURM_NTASKS=2 CTSCALE_VOCAB="500 1000" CTSCALE_SYNTH_TOKENS=1000
expect vocab "^ctscale-synth --tokens 1000 --vocab-size 8000 -o $work/vocab/ctscale-vocab-95-tokens.h5.partial$"
expect vocab "^ctscale-mpi --tokens $work/vocab/ctscale-vocab-95-tokens.h5 --vocab 500,1000 --output $work/vocab/ctscale-vocab-95.h5 "
run_job vocab_old ctscale-vocab-sweep.pbs PBS_JOBID=96.server PBS_NODEFILE="$work/nodefile" PBS_O_WORKDIR="$work/pbs_submit" CTSCALE_BIN="$stubs/bin-old" &&
  fail "the sweep ran with a ctscale-mpi that has no --tokens"
expect_log vocab_old "has no --tokens option"

# No scheduler: mpirun with CTSCALE_RANKS (default 1). Errors are one clear line, exit 1.
run_job plain ctscale-one.slurm CTSCALE_RANKS=3
expect plain "^mpirun -n 3 $stubs/bin/ctscale-mpi --output $work/plain/ctscale-one-local-[0-9]+\.h5 "
run_job bad_ranks ctscale-one.slurm CTSCALE_RANKS=0 && fail "CTSCALE_RANKS=0 accepted"
expect_log bad_ranks "CTSCALE_RANKS must be a positive integer"
run_job no_bin ctscale-one.slurm CTSCALE_BIN="$work/nowhere" && fail "missing ctscale-mpi accepted"
expect_log no_bin "ctscale-mpi not found"
run_job bad_input ctscale-one.slurm CTSCALE_INPUT="$work/missing.h5" && fail "missing input accepted"
expect_log bad_input "is not a readable file"

# A copy of the script in a spool directory, as sbatch runs it: ctscale-job is not beside
# it, so it is the one beside the programs, found through CTSCALE_BIN (a directory, or a
# program in it) or on PATH.
spool=$work/spool; mkdir -p "$spool" "$stubs/bin-job"
cp "$SRC/jobs/ctscale-one.slurm" "$spool/slurm_script"
cp -p "$stubs"/bin/* "$stubs/bin-job/"
ln -sf "$BIN/ctscale-job" "$stubs/bin-job/ctscale-job"
run_job spool_bin "$spool/slurm_script" SLURM_JOB_ID=70 SLURM_NTASKS=2 CTSCALE_BIN="$stubs/bin-job"
expect spool_bin "^srun --mpi=pmix --ntasks=2 --kill-on-bad-exit=1 $stubs/bin-job/ctscale-mpi --output $work/spool_bin/ctscale-one-70.h5 "
tail -n 1 "$work/spool_bin.log" | grep -q 'done: ' || fail "spool_bin: no final done: line"
run_job spool_exe "$spool/slurm_script" SLURM_JOB_ID=71 SLURM_NTASKS=2 CTSCALE_BIN="$stubs/bin-job/ctscale-mpi"
expect spool_exe "^srun .* $stubs/bin-job/ctscale-mpi --output $work/spool_exe/ctscale-one-71.h5 "
run_job spool_path "$spool/slurm_script" SLURM_JOB_ID=72 SLURM_NTASKS=2 CTSCALE_BIN= PATH="$stubs/path:$stubs/bin-job:/usr/bin:/bin"
expect spool_path "^srun .* $stubs/bin-job/ctscale-mpi --output $work/spool_path/ctscale-one-72.h5 "
run_job spool_none "$spool/slurm_script" SLURM_JOB_ID=73 SLURM_NTASKS=2 PATH="$stubs/path:/usr/bin:/bin" &&
  fail "ran without ctscale-job"
expect_log spool_none "error: ctscale-job not found in CTSCALE_BIN, beside $spool/slurm_script or on PATH"
echo "PASS" >&2
