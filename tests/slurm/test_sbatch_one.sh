#!/usr/bin/env bash
# sbatch jobs/ctscale-one.slurm on a tiny-10m checkpoint with 2 tasks on the local Slurm:
# the job completes, launches its 2 ranks with srun --mpi=pmix, and writes a results file
# and a JSON summary named by the job id; the results file passes the schema validator.
source "$(dirname "$0")/lib.sh"
require_cluster
work=$(workdir sbatch_one)
"$BIN/ctscale-synth" --preset tiny-10m --quiet -o "$work/tiny-10m.h5" >/dev/null

id=$(sbatch --parsable -n 2 --mem-per-cpu=1G $(fit_options 2) -D "$work" \
       --export=ALL,CTSCALE_BIN="$BIN",CTSCALE_INPUT="$work/tiny-10m.h5" \
       "$SRC/jobs/ctscale-one.slurm")
id=${id%%;*}
echo "submitted job $id" >&2
wait_job "$id"
log=$work/ctscale-one-$id.out
check_job "$id" "$log"
grep -q '2 ranks via srun' "$log" || fail "the job did not launch 2 ranks with srun"
grep -q -- '+ srun --mpi=pmix --ntasks=2 ' "$log" || fail "no srun --mpi=pmix --ntasks=2 in the log"
grep -q 'tiny-10m (.*, 2 ranks)' "$log" || fail "ctscale-mpi did not report 2 ranks"
validate "$work/ctscale-one-$id.h5"
[ -s "$work/ctscale-one-$id.json" ] || fail "no JSON summary"
"$PY" -c 'import json,sys; json.load(open(sys.argv[1]))' "$work/ctscale-one-$id.json" || fail "JSON summary does not parse"
[ ! -e "$work/ctscale-one-$id.h5.running" ] || fail "the .running marker was left behind"
echo "PASS: job $id" >&2
