#!/usr/bin/env bash
# Test fixture slurm_up: brings up the local Slurm (cluster/slurm-up.sh installs the
# packages when missing). Remembers whether it was already running, so that the slurm_down
# fixture leaves a cluster someone else started alone. Skipped (exit 77) when not root.
source "$(dirname "$0")/lib.sh"
if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP: the local Slurm runs its daemons as root; run the slurm tests as root" >&2
  exit 77
fi
marker=$(dirname "$BIN")/slurm-tests/.started-cluster
mkdir -p "$(dirname "$marker")"
if scontrol ping 2>/dev/null | grep -q 'is UP'; then
  echo "slurm_up: the local Slurm was already up; slurm_down will leave it running" >&2
  rm -f "$marker"
else
  touch "$marker"
fi
start=$SECONDS
bash "$SRC/cluster/slurm-up.sh"
echo "slurm_up: ready after $((SECONDS - start)) s" >&2
sinfo
