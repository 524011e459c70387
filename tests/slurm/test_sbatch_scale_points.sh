#!/usr/bin/env bash
# sbatch jobs/ctscale-scale-points.slurm with CTSCALE_PRESETS=tiny-10m and 2 tasks: the job
# synthesises the checkpoint under srun, analyses it, and the results file validates.
# Resubmitting into the same output directory skips the finished preset.
source "$(dirname "$0")/lib.sh"
require_cluster
work=$(workdir sbatch_scale_points)

submit() {
  sbatch --parsable -n 2 --mem-per-cpu=1G $(fit_options 2) -D "$work" \
    --export=ALL,CTSCALE_BIN="$BIN",CTSCALE_PRESETS=tiny-10m,CTSCALE_OUTDIR="$work/out" "$@" \
    "$SRC/jobs/ctscale-scale-points.slurm" | cut -d';' -f1
}
id=$(submit)
echo "submitted job $id" >&2
wait_job "$id"
log=$work/ctscale-scale-$id.out
check_job "$id" "$log"
grep -q -- '+ srun --mpi=pmix --ntasks=2 .*ctscale-synth --preset tiny-10m --dtype f32' "$log" ||
  fail "the checkpoint was not synthesised with srun on 2 ranks"
[ -s "$work/out/ckpt-tiny-10m-f32.h5" ] || fail "no checkpoint ckpt-tiny-10m-f32.h5"
validate "$work/out/results-tiny-10m.h5"
[ -s "$work/out/results-tiny-10m.json" ] || fail "no JSON summary"
if ls "$work/out" | grep -q -e '\.partial$' -e '\.running$'; then fail "partial files left: $(ls "$work/out")"; fi

# Again: the preset is done, nothing is synthesised or analysed.
id2=$(submit)
wait_job "$id2"
check_job "$id2" "$work/ctscale-scale-$id2.out"
grep -q 'tiny-10m: .* exists, skipped' "$work/ctscale-scale-$id2.out" || fail "the second job did not skip the finished preset"
echo "PASS: jobs $id $id2" >&2
