#!/usr/bin/env bash
# node2's link goes down mid-run: `ip link set mn0 down` in node2's namespace while a
# ctscale-one job over both nodes runs. Nothing inside MPI notices (TCP just waits), so it
# is Slurm that ends the run: slurmctld stops hearing from node2, marks it DOWN after
# SlurmdTimeout (cluster/multinode.conf.in), kills the job's processes on node1 and
# requeues the job (#SBATCH --requeue). Checked: the run on node1 is gone within BOUND
# seconds with the node failure in the log, the results file already at the output path
# is untouched (checksum); then, with the link back, node2 returns to service by itself
# (ReturnToService=2), its stray ranks are killed, and the requeued job runs with
# --resume to results equal to an uninterrupted 2-rank run's.
source "$(dirname "$0")/lib.sh"
BOUND=90
require_cluster
work=$(workdir fault_link)
link_up() { ip -n "$(mn_ns node2)" link set "$MN_IF" up 2>/dev/null || true; }
trap link_up EXIT
"$BIN/ctscale-synth" --preset tiny-10m --quiet -o "$work/tiny-10m.h5" >/dev/null
reference_long "$work" "$work/reference.h5"
out=$work/out.h5
cp "$work/reference.h5" "$out"
before=$(sha256sum < "$out")

id=$(submit_long "$work" "$out")
echo "submitted job $id" >&2
log=$work/ctscale-one-$id.out
wait_mid_run "$out" "$id"
echo "ip link set $MN_IF down in $(mn_ns node2)" >&2
ip -n "$(mn_ns node2)" link set "$MN_IF" down
start=$SECONDS
# The first run has ended when the job is no longer RUNNING and node1 has no rank left.
while :; do
  state=$(job_field "$id" JobState)
  if [ "$state" != RUNNING ] && [ -z "$(ranks_on node1)" ]; then break; fi
  if (( SECONDS - start > BOUND )); then
    scontrol show job "$id" >&2; sinfo -N >&2
    fail "job $id still $state (node1 ranks: $(ranks_on node1 | xargs)) ${BOUND}s after node2's link went down"
  fi
  sleep 0.5
done
took=$((SECONDS - start))
echo "first run ended $took s after the link went down: JobState=$state Restarts=$(job_field "$id" Restarts)" >&2
sinfo -N -o '%N %T %E' >&2
[ "$(sha256sum < "$out")" = "$before" ] || fail "the interrupted run changed $out"
[ "$(sinfo -h -n node2 -o %T)" != idle ] || fail "node2 still idle after its link went down"

link_up
wait_job "$id" 240
check_job "$id" "$log"
grep -qi 'node fail' "$log" || fail "the log does not show the node failure"
[ "$(job_field "$id" Restarts)" -ge 1 ] || fail "job $id was not requeued"
grep -q -- '+ srun --mpi=pmix --ntasks=4 .* --resume' "$log" || fail "the rerun was not given --resume"
$COMPARE "$work/reference.h5" "$out" || fail "the resumed results differ from an uninterrupted run's"
for ((i = 0; i < 100; i++)); do [ -z "$(ranks_on node2)" ] && break; sleep 0.2; done
[ -z "$(ranks_on node2)" ] || fail "stray ranks left on node2: $(ranks_on node2 | xargs)"
echo "PASS: job $id: first run ended $took s after the link went down (bound $BOUND s), resumed to the uninterrupted results" >&2
