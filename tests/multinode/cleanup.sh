#!/usr/bin/env bash
# Test fixture multinode_down: stops the two-node Slurm and deletes its namespaces, veth
# pairs and bridge, whatever the tests left (a node cut off, ranks still running).
source "$(dirname "$0")/lib.sh"
if [ "$(id -u)" -ne 0 ]; then echo "SKIP: not root" >&2; exit 77; fi
bash "$SRC/cluster/multinode-down.sh"
if ip netns list | grep -q '^ctscale-n'; then fail "namespaces left: $(ip netns list)"; fi
