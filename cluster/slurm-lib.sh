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

# The start of an up script: root (else exit 3, saying WHY it is needed), the Debian
# packages (scripts/install-slurm.sh; CTSCALE_SLURM_INSTALL=0 skips it), then slurm_lock.
slurm_setup_as_root() {
  if [ "$(id -u)" -ne 0 ]; then
    slurm_log "must run as root: $1"
    exit 3
  fi
  if [ "${CTSCALE_SLURM_INSTALL:-1}" = 1 ]; then
    bash "$(dirname "${BASH_SOURCE[0]}")/../scripts/install-slurm.sh"
  fi
  slurm_lock
}

# Serialises slurm-up and slurm-down (two test runs, a user and a test). The daemons are
# started with fd 9 closed, or they would hold the lock for ever.
slurm_lock() {
  mkdir -p "$SLURM_DIR"
  exec 9> "$SLURM_DIR/.lock"
  flock -w 300 9 || { slurm_log "could not lock $SLURM_DIR/.lock"; exit 1; }
}

# Cancels every job of a running slurmctld and waits up to SECONDS for them to leave the
# queue, so that no slurmstepd or MPI rank outlives the daemons. A job on a node that
# cannot be reached stays "completing": the wait is bounded.
slurm_cancel_jobs() {
  local seconds=$1 jobs i
  slurm_pid_of "$SLURMCTLD_PID" slurmctld >/dev/null || return 0
  jobs=$(squeue -h -o %i 2>/dev/null || true)
  [ -n "$jobs" ] || return 0
  slurm_log "cancelling jobs: $(echo $jobs)"
  scancel $jobs 2>/dev/null || true
  for ((i = 0; i < seconds * 10; i++)); do
    [ -z "$(squeue -h -o %i 2>/dev/null || true)" ] && break
    sleep 0.1
  done
}

# The runtime directory's layout and permissions (call with the lock held).
slurm_prepare_dir() {
  mkdir -p "$SLURM_DIR"/{state,spool,run,log} "$MUNGE_DIR"
  chmod 0755 "$SLURM_DIR"          # munged (user munge) must reach its socket directory
  chown munge:munge "$MUNGE_DIR"
  chmod 0755 "$MUNGE_DIR"          # munged refuses a socket directory writable by others
  touch "$SLURM_DIR/plugstack.conf"  # no SPANK plugins (not /etc/slurm's)
}

# This machine's CPUs, sockets, cores, threads and RealMemory as `slurmd -C` reports them
# (a node configured with more than it has is drained).
slurm_node_hw() {
  local hw
  hw=$(slurmd -C 2>/dev/null | head -n1 | sed -n 's/^NodeName=[^ ]* //p' || true)
  if [ -z "$hw" ]; then
    hw="CPUs=$(nproc) RealMemory=$(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo)"
  fi
  echo "$hw"
}

slurm_munge_ok() { munge -n -S "$MUNGE_SOCKET" 2>/dev/null | unmunge -S "$MUNGE_SOCKET" >/dev/null 2>&1; }

# munged, on its own socket in the runtime directory, unless it already answers there.
slurm_start_munged() {
  local i
  if slurm_pid_of "$MUNGED_PID" munged >/dev/null && slurm_munge_ok; then
    slurm_log "munged already running"
    return 0
  fi
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
  for ((i = 0; i < 100; i++)); do slurm_munge_ok && break; sleep 0.1; done
  slurm_munge_ok || { slurm_log "munged does not answer; see $MUNGE_DIR/munged.log"; exit 1; }
  slurm_log "started munged ($(slurm_pid_of "$MUNGED_PID" munged))"
}

slurm_ctld_ok() { scontrol ping 2>/dev/null | grep -q 'is UP'; }

# slurmctld with $CONF, unless it is running; waits until it answers.
slurm_start_slurmctld() {
  local i
  if slurm_pid_of "$SLURMCTLD_PID" slurmctld >/dev/null; then
    slurm_log "slurmctld already running"
    return 0
  fi
  slurmctld -f "$CONF" 9>&-
  for ((i = 0; i < 300; i++)); do slurm_ctld_ok && break; sleep 0.1; done
  slurm_ctld_ok || { slurm_log "slurmctld does not answer; see $SLURM_DIR/log/slurmctld.log"; exit 1; }
  slurm_log "started slurmctld ($(slurm_pid_of "$SLURMCTLD_PID" slurmctld))"
}

# slurm_start_slurmd NODE PIDFILE [PREFIX...]: slurmd -N NODE, run through PREFIX (a
# command that enters a namespace, for instance), unless the daemon in PIDFILE is running.
slurm_start_slurmd() {
  local node=$1 pidfile=$2 i
  shift 2
  if slurm_pid_of "$pidfile" slurmd >/dev/null; then
    slurm_log "slurmd $node already running"
    return 0
  fi
  "$@" slurmd -f "$CONF" -N "$node" 9>&-
  for ((i = 0; i < 100; i++)); do slurm_pid_of "$pidfile" slurmd >/dev/null && break; sleep 0.1; done
  slurm_pid_of "$pidfile" slurmd >/dev/null || { slurm_log "slurmd $node did not start; see $SLURM_DIR/log/"; exit 1; }
  slurm_log "started slurmd $node ($(slurm_pid_of "$pidfile" slurmd))"
}

# slurm_wait_node NAME: waits up to 60 s until node NAME takes jobs; a node left down or
# drained by an earlier run (e.g. slurmd killed) is returned to service.
slurm_wait_node() {
  local node=$1 state="" resumed=0 i
  for ((i = 0; i < 600; i++)); do
    state=$(sinfo -h -n "$node" -o %T 2>/dev/null | head -n1 || true)
    case $state in
      idle|mixed|allocated|completing) break ;;
      drained|draining|down|fail|failing)
        if [ "$resumed" = 0 ]; then
          slurm_log "node $node is $state; resuming it"
          scontrol update NodeName="$node" State=RESUME 2>/dev/null || true
          resumed=1
        fi ;;
    esac
    sleep 0.1
  done
  case $state in
    idle|mixed|allocated|completing) slurm_log "node $node is $state ($(sinfo -h -n "$node" -o '%c CPUs, %m MB'))" ;;
    *) slurm_log "node $node is '${state:-unknown}' after 60 s; see $SLURM_DIR/log/slurmd*.log"; exit 1 ;;
  esac
}
