#!/usr/bin/env bash
# Test fixture slurm_down: stops the local Slurm if the slurm_up fixture started it.
source "$(dirname "$0")/lib.sh"
marker=$(dirname "$BIN")/slurm-tests/.started-cluster
if [ -e "$marker" ]; then
  bash "$SRC/cluster/slurm-down.sh"
  rm -f "$marker"
else
  echo "slurm_down: leaving the local Slurm as it was before the tests" >&2
fi
