#!/usr/bin/env bash
# A rank killed on node2: SIGKILL to one of node2's two ranks of a ctscale-one job over both
# nodes, once it has recorded its first fit. srun --kill-on-bad-exit (ctscale-job) ends the
# step and the job FAILS within BOUND seconds, with ctscale-job's error in the log; the
# results file already at the output path is untouched (checksum), no rank is left on
# either node, and `scontrol requeue` reruns the job with --resume to results equal to an
# uninterrupted 2-rank run's.
source "$(dirname "$0")/lib.sh"
BOUND=60
require_cluster
work=$(workdir fault_kill)
"$BIN/ctscale-synth" --preset tiny-10m --quiet -o "$work/tiny-10m.h5" >/dev/null
reference_long "$work" "$work/reference.h5"
out=$work/out.h5
cp "$work/reference.h5" "$out"     # a previous run's results, which a failed run must not touch
before=$(sha256sum < "$out")

id=$(submit_long "$work" "$out")
echo "submitted job $id" >&2
log=$work/ctscale-one-$id.out
wait_mid_run "$out" "$id"
victims=($(ranks_on node2))
victim=${victims[0]:-}
[ -n "$victim" ] || fail "no ctscale-mpi rank found in node2's namespace"
echo "kill -KILL $victim (a rank on node2)" >&2
kill -KILL "$victim"
start=$SECONDS
wait_job "$id" "$BOUND"
took=$((SECONDS - start))
cat "$log" >&2
state=$(job_field "$id" JobState)
[ "$state" = FAILED ] || fail "job $id: JobState=$state after the kill, expected FAILED"
grep -q 'error: ctscale-mpi failed' "$log" || fail "no error from ctscale-job in the log"
[ "$(sha256sum < "$out")" = "$before" ] || fail "the failed run changed $out"
[ -e "$out.running" ] || fail "no $out.running marker left for the rerun"
for node in node1 node2; do [ -z "$(ranks_on "$node")" ] || fail "ranks left on $node: $(ranks_on "$node")"; done
echo "job $id failed $took s after the kill (bound $BOUND s); $out untouched" >&2

scontrol requeue "$id"
wait_job "$id" 240
check_job "$id" "$log"
[ "$(job_field "$id" Restarts)" = 1 ] || fail "job $id: Restarts=$(job_field "$id" Restarts), expected 1"
grep -q -- '+ srun --mpi=pmix --ntasks=4 .* --resume' "$log" || fail "the rerun was not given --resume"
grep -q 'resuming: [1-9][0-9]* of' "$log" || fail "the rerun reused no records"
$COMPARE "$work/reference.h5" "$out" || fail "the resumed results differ from an uninterrupted run's"
echo "PASS: job $id failed in $took s, resumed to the uninterrupted results" >&2
