# Sourced by the tests in tests/slurm: where things are, and submitting to / waiting on
# the local Slurm that cluster/slurm-up.sh runs (the slurm_up test fixture starts it).
set -euo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${CTSCALE_BIN_DIR:-$SRC/build/bin}
BIN=$(cd "$BIN" && pwd)
PY=/usr/bin/python3
VALIDATE=$SRC/hdf5_schemas/ctscale_validate.py
# Slurm client settings (SLURM_CONF, PATH) of the local cluster.
source "$SRC/cluster/slurm-lib.sh"
# Open MPI as root, for programs run directly by a test.
source "$SRC/scripts/mpi-env.sh"

fail() { echo "FAIL: $*" >&2; exit 1; }

# A fresh work directory per test, in the build tree: $BIN/../slurm-tests/NAME.
workdir() {
  local d
  d=$(dirname "$BIN")/slurm-tests/$1
  rm -rf "$d"
  mkdir -p "$d"
  echo "$d"
}

require_cluster() {
  if [ "$(id -u)" -ne 0 ]; then echo "SKIP: the local Slurm needs root" >&2; exit 77; fi
  scontrol ping 2>/dev/null | grep -q 'is UP' ||
    fail "the local Slurm is not up (SLURM_CONF=$SLURM_CONF); run bash cluster/slurm-up.sh or the slurm_up test"
}

# sbatch options that let an N-task job run on this node: --overcommit when it has fewer CPUs.
fit_options() {
  local n=$1 cpus
  cpus=$(sinfo -h -n localhost -o %c | head -n1)
  if [ "${cpus:-0}" -lt "$n" ]; then echo "--overcommit"; fi
}

# wait_job ID [TIMEOUT]: polls squeue until the job has left the queue (sbatch --wait
# polls every ~10 s); cancels it and fails after TIMEOUT seconds [240].
wait_job() {
  local id=$1 timeout=${2:-240} start=$SECONDS state
  while :; do
    state=$(squeue -h -j "$id" -o %T 2>/dev/null || true)
    [ -z "$state" ] && break
    if (( SECONDS - start > timeout )); then
      scancel "$id" || true
      scontrol show job "$id" >&2 || true
      fail "job $id still $state after ${timeout}s"
    fi
    sleep 0.5
  done
  echo "job $id left the queue after $((SECONDS - start)) s" >&2
}

# job_field ID FIELD: a field of `scontrol show job` (kept MinJobAge = 600 s after the end).
job_field() { scontrol show job -o "$1" 2>/dev/null | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n1; }

# check_job ID LOG: the job COMPLETED with exit code 0:0, and its log ends with "done:".
# Without a record in slurmctld (it expired), the log alone decides.
check_job() {
  local id=$1 log=$2 state code
  state=$(job_field "$id" JobState)
  code=$(job_field "$id" ExitCode)
  echo "---- log of job $id ($log) ----" >&2
  cat "$log" >&2 || true
  echo "---- job $id: JobState=${state:-?} ExitCode=${code:-?} ----" >&2
  if [ -n "$state" ]; then
    [ "$state" = COMPLETED ] && [ "$code" = 0:0 ] || fail "job $id: JobState=$state ExitCode=$code"
  fi
  grep -q 'ctscale-job .*: done: ' "$log" || fail "job $id: its log $log has no 'done:' line"
}

validate() {
  [ -s "$1" ] || fail "missing results file $1"
  "$PY" "$VALIDATE" "$1" || fail "schema validation of $1"
}
