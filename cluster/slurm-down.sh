#!/usr/bin/env bash
# Stops the single-node Slurm that cluster/slurm-up.sh started: cancels its jobs, then
# stops slurmd, slurmctld and munged by their pid files in the runtime directory
# (CTSCALE_SLURM_DIR, default /tmp/ctscale-slurm). Idempotent: nothing running is not an
# error. Other Slurm or munge daemons on the machine are not touched.
#
#   bash cluster/slurm-down.sh           # keep the directory (logs, saved state)
#   bash cluster/slurm-down.sh --purge   # and delete it
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/slurm-lib.sh"

purge=0
case ${1:-} in
  --purge) purge=1 ;;
  "") ;;
  *) echo "usage: $0 [--purge]" >&2; exit 2 ;;
esac

if [ ! -d "$SLURM_DIR" ]; then
  slurm_log "nothing to stop ($SLURM_DIR does not exist)"
  exit 0
fi
slurm_lock

slurm_cancel_jobs 30

slurm_stop_pid "$SLURMD_PID" slurmd
slurm_stop_pid "$SLURMCTLD_PID" slurmctld
slurm_stop_pid "$MUNGED_PID" munged
rm -f "$MUNGE_SOCKET" "$MUNGE_SOCKET.lock"

if [ "$purge" = 1 ]; then
  # Only a directory that looks like ours.
  if [ -e "$CONF" ] || [ -z "$(ls -A "$SLURM_DIR" | grep -v '^\.lock$' || true)" ]; then
    rm -rf "$SLURM_DIR"
    slurm_log "removed $SLURM_DIR"
  else
    slurm_log "not removing $SLURM_DIR: it has no slurm.conf, so it may not be ours"
  fi
fi
slurm_log "local Slurm is down"
