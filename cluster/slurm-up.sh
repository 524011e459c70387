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

if [ "$(id -u)" -ne 0 ]; then
  slurm_log "must run as root: the local cluster runs munged as user munge and the Slurm daemons as root"
  exit 3
fi
if [ "${CTSCALE_SLURM_INSTALL:-1}" = 1 ]; then
  bash "$here/../scripts/install-slurm.sh"
fi

slurm_lock
mkdir -p "$SLURM_DIR"/{state,spool,run,log} "$MUNGE_DIR"
chmod 0755 "$SLURM_DIR"          # munged (user munge) must reach its socket directory
chown munge:munge "$MUNGE_DIR"
chmod 0755 "$MUNGE_DIR"          # munged refuses a socket directory writable by others
touch "$SLURM_DIR/plugstack.conf"  # no SPANK plugins (not /etc/slurm's)

# ---- configuration: the template with this machine's paths, ports and hardware ----------
hw=$(slurmd -C 2>/dev/null | head -n1 | sed -n 's/^NodeName=[^ ]* //p' || true)
if [ -z "$hw" ]; then
  hw="CPUs=$(nproc) RealMemory=$(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo)"
fi
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

# ---- munged, on its own socket in the runtime directory ------------------------------------
munge_ok() { munge -n -S "$MUNGE_SOCKET" 2>/dev/null | unmunge -S "$MUNGE_SOCKET" >/dev/null 2>&1; }
if slurm_pid_of "$MUNGED_PID" munged >/dev/null && munge_ok; then
  slurm_log "munged already running"
else
  slurm_stop_pid "$MUNGED_PID" munged
  if [ ! -s /etc/munge/munge.key ]; then
    slurm_log "creating /etc/munge/munge.key"
    install -d -o munge -g munge -m 0700 /etc/munge
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
    chown munge:munge /etc/munge/munge.key
    chmod 0400 /etc/munge/munge.key
  fi
  rm -f "$MUNGE_SOCKET" "$MUNGE_SOCKET.lock"
  runuser -u munge -- /usr/sbin/munged --socket="$MUNGE_SOCKET" --pid-file="$MUNGED_PID" \
    --log-file="$MUNGE_DIR/munged.log" --seed-file="$MUNGE_DIR/munged.seed" 9>&-
  for ((i = 0; i < 100; i++)); do munge_ok && break; sleep 0.1; done
  munge_ok || { slurm_log "munged does not answer; see $MUNGE_DIR/munged.log"; exit 1; }
  slurm_log "started munged ($(slurm_pid_of "$MUNGED_PID" munged))"
fi

# ---- slurmctld, then slurmd --------------------------------------------------------------
ctld_ok() { scontrol ping 2>/dev/null | grep -q 'is UP'; }
if slurm_pid_of "$SLURMCTLD_PID" slurmctld >/dev/null; then
  slurm_log "slurmctld already running"
else
  slurmctld -f "$CONF" 9>&-
  for ((i = 0; i < 300; i++)); do ctld_ok && break; sleep 0.1; done
  ctld_ok || { slurm_log "slurmctld does not answer; see $SLURM_DIR/log/slurmctld.log"; exit 1; }
  slurm_log "started slurmctld ($(slurm_pid_of "$SLURMCTLD_PID" slurmctld))"
fi
if slurm_pid_of "$SLURMD_PID" slurmd >/dev/null; then
  slurm_log "slurmd already running"
else
  # The node is called localhost in slurm.conf, whatever this host's name is.
  slurmd -f "$CONF" -N localhost 9>&-
  for ((i = 0; i < 100; i++)); do slurm_pid_of "$SLURMD_PID" slurmd >/dev/null && break; sleep 0.1; done
  slurm_pid_of "$SLURMD_PID" slurmd >/dev/null || { slurm_log "slurmd did not start; see $SLURM_DIR/log/slurmd.log"; exit 1; }
  slurm_log "started slurmd ($(slurm_pid_of "$SLURMD_PID" slurmd))"
fi

# ---- wait until the node takes jobs ----------------------------------------------------
resumed=0
for ((i = 0; i < 600; i++)); do
  state=$(sinfo -h -n localhost -o %T 2>/dev/null | head -n1 || true)
  case $state in
    idle|mixed|allocated|completing) break ;;
    drained|draining|down|fail|failing)
      # A node left down or drained by an earlier run (e.g. slurmd killed): return it to service.
      if [ "$resumed" = 0 ]; then
        slurm_log "node localhost is $state; resuming it"
        scontrol update NodeName=localhost State=RESUME 2>/dev/null || true
        resumed=1
      fi ;;
  esac
  sleep 0.1
done
case $state in
  idle|mixed|allocated|completing) slurm_log "node localhost is $state ($(sinfo -h -n localhost -o '%c CPUs, %m MB'))" ;;
  *) slurm_log "node localhost is '${state:-unknown}' after 60 s; see $SLURM_DIR/log/slurmd.log"; exit 1 ;;
esac
echo "export SLURM_CONF=$CONF"
