#!/usr/bin/env bash
# Every Slurm job script's #SBATCH directives are accepted by the real slurmctld
# (sbatch --test-only: parsed and scheduled, not run). Task count and memory are overridden
# to fit this node; the other directives are the scripts' own.
source "$(dirname "$0")/lib.sh"
require_cluster
work=$(workdir sbatch_test_only)
for script in "$SRC"/jobs/*.slurm; do
  out=$(sbatch --test-only -n 2 --mem-per-cpu=100M $(fit_options 2) -D "$work" "$script" 2>&1) ||
    fail "sbatch --test-only ${script##*/}: $out"
  echo "${script##*/}: $out" >&2
  grep -q 'to start at' <<< "$out" || fail "sbatch --test-only ${script##*/}: $out"
done
echo "PASS" >&2
