#!/usr/bin/env bash
# sbatch jobs/ctscale-vocab-sweep.slurm with 2 tasks on a small synthetic token stream.
# Skipped (exit 77) while ctscale-mpi has no --tokens option.
source "$(dirname "$0")/lib.sh"
help=$("$BIN/ctscale-mpi" --help 2>/dev/null || true)
if ! grep -q -- '--tokens' <<< "$help"; then
  echo "SKIP: this ctscale-mpi has no --tokens option yet" >&2
  exit 77
fi
require_cluster
work=$(workdir sbatch_vocab_sweep)
# The list goes through the environment: sbatch --export splits its argument at commas.
id=$(CTSCALE_VOCAB="250,500" sbatch --parsable -n 2 --mem-per-cpu=1G $(fit_options 2) -D "$work" \
       --export=ALL,CTSCALE_BIN="$BIN",CTSCALE_SYNTH_TOKENS=200000,CTSCALE_SYNTH_VOCAB=2000 \
       "$SRC/jobs/ctscale-vocab-sweep.slurm" | cut -d';' -f1)
echo "submitted job $id" >&2
wait_job "$id"
log=$work/ctscale-vocab-$id.out
check_job "$id" "$log"
grep -q -- '+ srun --mpi=pmix --ntasks=2 .*ctscale-mpi --tokens .* --vocab 250,500' "$log" ||
  fail "ctscale-mpi --tokens ... --vocab 250,500 was not launched with srun on 2 ranks"
validate "$work/ctscale-vocab-$id.h5"
echo "PASS: job $id" >&2
