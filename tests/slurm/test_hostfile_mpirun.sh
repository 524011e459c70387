#!/usr/bin/env bash
# Plain mpirun with a hostfile, no scheduler: jobs/ctscale-one.slurm run as a script with
# CTSCALE_RANKS=2 and cluster/hostfiles/localhost.hostfile passed to mpirun, on a tiny-10m
# checkpoint; the results file validates.
source "$(dirname "$0")/lib.sh"
work=$(workdir hostfile_mpirun)
"$BIN/ctscale-synth" --preset tiny-10m --quiet -o "$work/tiny-10m.h5" >/dev/null
(cd "$work" && env -u SLURM_JOB_ID -u PBS_JOBID CTSCALE_BIN="$BIN" CTSCALE_INPUT="$work/tiny-10m.h5" CTSCALE_RANKS=2 \
   CTSCALE_OUTPUT="$work/results.h5" CTSCALE_LAUNCHER_ARGS="--hostfile $SRC/cluster/hostfiles/localhost.hostfile" \
   bash "$SRC/jobs/ctscale-one.slurm" > "$work/job.out" 2>&1) || { cat "$work/job.out" >&2; fail "the job script failed"; }
cat "$work/job.out" >&2
grep -q -- "+ mpirun -n 2 --hostfile $SRC/cluster/hostfiles/localhost.hostfile " "$work/job.out" || fail "not launched with mpirun --hostfile"
grep -q 'tiny-10m (.*, 2 ranks)' "$work/job.out" || fail "ctscale-mpi did not report 2 ranks"
validate "$work/results.h5"
echo "PASS" >&2
