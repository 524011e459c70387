#!/usr/bin/env bash
# jobs/ctscale-one.slurm, unchanged, across both nodes: sbatch -N 2 --ntasks-per-node=2 on
# a tiny checkpoint plus a token stream. The job completes (exit 0) on node[1-2], srun
# launches its 4 ranks, and its results equal a plain 2-rank mpirun's on this machine to
# 1e-10 (same_results.py: every compared dataset and attribute).
source "$(dirname "$0")/lib.sh"
require_cluster
work=$(workdir sbatch_one)
make_inputs "$work"
reference_run "$work" "$work/reference.h5" --input "$work/tiny-10m.h5" --tokens "$work/tokens.h5" --vocab 250,500

# The list goes through the environment: sbatch --export splits its argument at commas.
id=$(CTSCALE_ARGS="--tokens $work/tokens.h5 --vocab 250,500" sbatch --parsable "${TWO_NODES[@]}" -D "$work" \
       --export=ALL,CTSCALE_BIN="$BIN",CTSCALE_INPUT="$work/tiny-10m.h5" \
       "$SRC/jobs/ctscale-one.slurm" | cut -d';' -f1)
echo "submitted job $id" >&2
wait_job "$id" 240
log=$work/ctscale-one-$id.out
check_job "$id" "$log"
[ "$(job_field "$id" NodeList)" = "node[1-2]" ] || fail "job $id ran on $(job_field "$id" NodeList), not node[1-2]"
grep -q '4 ranks via srun' "$log" || fail "the job did not launch 4 ranks with srun"
grep -q -- '+ srun --mpi=pmix --ntasks=4 ' "$log" || fail "no srun --mpi=pmix --ntasks=4 in the log"
validate "$work/ctscale-one-$id.h5"
$COMPARE "$work/reference.h5" "$work/ctscale-one-$id.h5" || fail "2-node results differ from the 2-rank mpirun's"
echo "PASS: job $id on node[1-2] equals the mpirun reference" >&2
