#!/usr/bin/env bash
# Brings up a single-node Slurm on this machine (localhost): munged, slurmctld and slurmd,
# as root, without systemd, everything under a runtime directory. Idempotent: daemons
# already running are left alone; a changed configuration restarts them. Waits until the
# node is idle, then prints the line that points the client commands at it:
#
#   eval "$(bash cluster/slurm-up.sh)"     # exports SLURM_CONF=/tmp/ctscale-slurm/slurm.conf
#   sbatch -n 2 jobs/ctscale-one.slurm; squeue; sinfo
#   bash cluster/slurm-down.sh             # stop it (--purge also deletes the directory)
#
# Environment: CTSCALE_SLURM_DIR (runtime directory, default /tmp/ctscale-slurm),
# CTSCALE_SLURMCTLD_PORT / CTSCALE_SLURMD_PORT (6817 / 6818), CTSCALE_SLURM_INSTALL=0 to
# skip scripts/install-slurm.sh (the Debian packages slurmctld slurmd slurm-client munge).
# Logs: $CTSCALE_SLURM_DIR/log/slurmctld.log, slurmd.log, munge/munged.log.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/slurm-lib.sh"

slurm_setup_as_root "the local cluster runs munged as user munge and the Slurm daemons as root"
slurm_prepare_dir

# ---- configuration: the template with this machine's paths, ports and hardware ----------
hw=$(slurm_node_hw)
sed -e "s|@DIR@|$SLURM_DIR|g" -e "s|@CTLD_PORT@|$CTLD_PORT|g" -e "s|@SLURMD_PORT@|$SLURMD_PORT|g" \
    -e "s|@NODE_HW@|$hw|g" "$here/slurm.conf.in" > "$CONF.new"
if [ -e "$CONF" ] && cmp -s "$CONF.new" "$CONF"; then
  rm -f "$CONF.new"
else
  if slurm_pid_of "$SLURMCTLD_PID" slurmctld >/dev/null || slurm_pid_of "$SLURMD_PID" slurmd >/dev/null; then
    slurm_log "configuration changed: restarting slurmctld and slurmd"
    slurm_stop_pid "$SLURMD_PID" slurmd
    slurm_stop_pid "$SLURMCTLD_PID" slurmctld
  fi
  mv -f "$CONF.new" "$CONF"
fi

slurm_start_munged
slurm_start_slurmctld
# The node is called localhost in slurm.conf, whatever this host's name is.
slurm_start_slurmd localhost "$SLURMD_PID"
slurm_wait_node localhost
echo "export SLURM_CONF=$CONF"
