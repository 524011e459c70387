#!/usr/bin/env bash
# Stops the two-node Slurm that cluster/multinode-up.sh started and removes its network:
# cancels its jobs, stops the slurmds, slurmctld and munged by their pid files, kills what
# is left inside the node namespaces (ranks of a node cut off by a fault test), then
# deletes the namespaces, veth pairs and bridge. Works after a partial or failed start,
# and when nothing is up. Nothing outside the runtime directory and these namespaces is
# touched.
#
#   bash cluster/multinode-down.sh           # keep the directory (logs, saved state)
#   bash cluster/multinode-down.sh --purge   # and delete it
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/multinode-lib.sh"

purge=0
case ${1:-} in
  --purge) purge=1 ;;
  "") ;;
  *) echo "usage: $0 [--purge]" >&2; exit 2 ;;
esac

if [ -d "$SLURM_DIR" ]; then
  slurm_lock
  slurm_cancel_jobs 10
  for node in "${MN_NODES[@]}"; do slurm_stop_pid "$(mn_slurmd_pid "$node")" slurmd; done
  slurm_stop_pid "$SLURMCTLD_PID" slurmctld
  slurm_stop_pid "$MUNGED_PID" munged
  rm -f "$MUNGE_SOCKET" "$MUNGE_SOCKET.lock"
fi

# Every process still in a node's namespace was started there by slurmd (steps, ranks).
for node in "${MN_NODES[@]}"; do
  ns=$(mn_ns "$node")
  mn_ns_exists "$ns" || continue
  pids=$(ip netns pids "$ns" 2>/dev/null || true)
  if [ -n "$pids" ]; then
    slurm_log "killing what is left in $ns: $(echo $pids)"
    kill -KILL $pids 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do [ -z "$(ip netns pids "$ns" 2>/dev/null)" ] && break; sleep 0.1; done
  fi
  ip netns del "$ns"
  slurm_log "deleted namespace $ns"
done
for node in "${MN_NODES[@]}"; do
  veth=$(mn_veth "$node")
  # Deleting a namespace takes its end of the pair, and the kernel then removes this end on
  # its own, possibly between a check and a delete: a failed delete is fine once it is gone.
  ip link del "$veth" 2>/dev/null || ! ip link show "$veth" >/dev/null 2>&1
done
if ip link show "$MN_BRIDGE" >/dev/null 2>&1; then
  ip link del "$MN_BRIDGE"
  slurm_log "deleted bridge $MN_BRIDGE"
fi

if [ "$purge" = 1 ] && [ -d "$SLURM_DIR" ]; then
  if [ -e "$CONF" ] || [ -z "$(ls -A "$SLURM_DIR" | grep -v '^\.lock$' || true)" ]; then
    rm -rf "$SLURM_DIR"
    slurm_log "removed $SLURM_DIR"
  else
    slurm_log "not removing $SLURM_DIR: it has no slurm.conf, so it may not be ours"
  fi
fi
slurm_log "two-node Slurm is down"
