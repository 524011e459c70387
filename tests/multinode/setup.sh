#!/usr/bin/env bash
# Test fixture multinode_up: brings up the two-node Slurm (cluster/multinode-up.sh, which
# installs the packages when missing). Skipped (exit 77) when not root.
source "$(dirname "$0")/lib.sh"
if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP: namespaces and the Slurm daemons need root; run the multinode tests as root" >&2
  exit 77
fi
start=$SECONDS
bash "$SRC/cluster/multinode-up.sh"
echo "multinode_up: ready after $((SECONDS - start)) s" >&2
sinfo -N -o '%N %T %c %m'
