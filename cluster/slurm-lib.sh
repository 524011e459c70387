# Sourced by cluster/slurm-up.sh and cluster/slurm-down.sh: paths of the single-node
# Slurm's runtime directory, its pid files, and starting/stopping helpers.
#
#   CTSCALE_SLURM_DIR           runtime directory: slurm.conf, state, spool, logs, pid
#                               files, munge socket [/tmp/ctscale-slurm]
#   CTSCALE_SLURMCTLD_PORT      slurmctld's port [6817]
#   CTSCALE_SLURMD_PORT         slurmd's port [6818]

SLURM_DIR=${CTSCALE_SLURM_DIR:-/tmp/ctscale-slurm}
case $SLURM_DIR in
  /*) ;;
  *) SLURM_DIR=$PWD/$SLURM_DIR ;;
esac
SLURM_DIR=${SLURM_DIR%/}
[ -n "$SLURM_DIR" ] && [ "$SLURM_DIR" != / ] || { echo "slurm: CTSCALE_SLURM_DIR must not be /" >&2; exit 2; }
CONF=$SLURM_DIR/slurm.conf
MUNGE_DIR=$SLURM_DIR/munge
MUNGE_SOCKET=$MUNGE_DIR/munge.socket
MUNGED_PID=$MUNGE_DIR/munged.pid
SLURMCTLD_PID=$SLURM_DIR/run/slurmctld.pid
SLURMD_PID=$SLURM_DIR/run/slurmd.pid
CTLD_PORT=${CTSCALE_SLURMCTLD_PORT:-6817}
SLURMD_PORT=${CTSCALE_SLURMD_PORT:-6818}
export SLURM_CONF=$CONF
# The daemons and client commands live in /usr/sbin and /usr/bin (Debian).
export PATH=$PATH:/usr/sbin:/sbin

slurm_log() { echo "${0##*/}: $*" >&2; }

# True while process PID exists and is not a zombie (an exited daemon stays a zombie until
# the init process reaps it, which in a container can take a second).
slurm_alive() {
  local state
  state=$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null || true)
  [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# The pid in PIDFILE when that process is alive and is COMM (not a recycled pid).
slurm_pid_of() {
  local pidfile=$1 comm=$2 pid
  [ -r "$pidfile" ] || return 1
  pid=$(tr -dc 0-9 < "$pidfile")
  [ -n "$pid" ] && slurm_alive "$pid" && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$comm" ] || return 1
  echo "$pid"
}

# Stops the daemon in PIDFILE (TERM, then KILL after 15 s) and removes the pid file.
slurm_stop_pid() {
  local pidfile=$1 comm=$2 pid i
  if pid=$(slurm_pid_of "$pidfile" "$comm"); then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 150; i++)); do
      slurm_alive "$pid" || break
      sleep 0.1
    done
    if slurm_alive "$pid"; then
      slurm_log "$comm ($pid) ignored TERM; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    slurm_log "stopped $comm ($pid)"
  fi
  rm -f "$pidfile"
}

# Serialises slurm-up and slurm-down (two test runs, a user and a test). The daemons are
# started with fd 9 closed, or they would hold the lock for ever.
slurm_lock() {
  mkdir -p "$SLURM_DIR"
  exec 9> "$SLURM_DIR/.lock"
  flock -w 300 9 || { slurm_log "could not lock $SLURM_DIR/.lock"; exit 1; }
}
