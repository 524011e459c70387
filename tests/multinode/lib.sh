# Sourced by the tests in tests/multinode: tests/slurm/lib.sh's helpers (wait_job,
# job_field, check_job, validate, fail), pointed at the two-node Slurm of
# cluster/multinode-up.sh (the multinode_up test fixture starts it), with the Open MPI
# transports a site would set for it (shared memory within a node, TCP between nodes).
source "$(dirname "${BASH_SOURCE[0]}")/../slurm/lib.sh"
source "$SRC/cluster/multinode-lib.sh"
export $MN_OMPI_ENV
export PYTHONPATH=$SRC${PYTHONPATH:+:$PYTHONPATH}
COMPARE="$PY $SRC/tests/multinode/same_results.py"

# A fresh work directory per test, in the build tree: $BIN/../multinode-tests/NAME.
workdir() {
  local d
  d=$(dirname "$BIN")/multinode-tests/$1
  rm -rf "$d"
  mkdir -p "$d"
  echo "$d"
}

# Both nodes up: taking jobs, or finishing one (a step that just failed leaves its node
# "completing" for a few seconds; a job submitted then simply waits). Anything else for
# 30 s (down, not responding) fails the test.
require_cluster() {
  if [ "$(id -u)" -ne 0 ]; then echo "SKIP: the two-node Slurm needs root" >&2; exit 77; fi
  local node state i
  for node in "${MN_NODES[@]}"; do
    for ((i = 0; i < 60; i++)); do
      state=$(sinfo -h -n "$node" -o %T 2>/dev/null | head -n1 || true)
      case $state in idle|mixed|allocated|completing) break ;; esac
      sleep 0.5
    done
    case $state in
      idle|mixed|allocated|completing) ;;
      *) fail "node $node is '${state:-unreachable}' (SLURM_CONF=$SLURM_CONF); run bash cluster/multinode-up.sh or the multinode_up test" ;;
    esac
  done
}

# sbatch options of a job spread over both nodes, two tasks on each.
TWO_NODES=(-N 2 --ntasks-per-node=2 --mem-per-cpu=1G)

# Tiny inputs: a checkpoint and a token stream (ctscale-synth on one rank, outside Slurm).
make_inputs() {
  local dir=$1
  "$BIN/ctscale-synth" --preset tiny-10m --quiet -o "$dir/tiny-10m.h5" >/dev/null
  "$BIN/ctscale-synth" --tokens 200000 --vocab-size 2000 --quiet -o "$dir/tokens.h5" >/dev/null
}

# reference_run DIR OUT ARGS...: ctscale-mpi on 2 ranks with plain mpirun on this machine.
reference_run() {
  local dir=$1 out=$2
  shift 2
  (cd "$dir" && env -u OMPI_MCA_btl -u OMPI_MCA_btl_tcp_if_include \
     mpirun -n 2 "$BIN/ctscale-mpi" "$@" --quiet --output "$out" >/dev/null) || fail "reference run failed"
}

# ---- the fault tests: a ctscale-one job long enough to be interrupted mid-run -------------
K_LONG=$(seq -s' ' 2 2 32)   # 16 basis sizes: 10-20 s on 4 ranks here

# submit_long WORK OUTPUT: jobs/ctscale-one.slurm over both nodes on WORK/tiny-10m.h5 with
# K_LONG and no spectra (the fit stage is what is interrupted), writing OUTPUT; prints the
# job id. reference_long WORK OUT: the same run with mpirun on 2 ranks.
submit_long() {
  CTSCALE_K="$K_LONG" CTSCALE_SPECTRAL=none sbatch --parsable "${TWO_NODES[@]}" -D "$1" \
    --export=ALL,CTSCALE_BIN="$BIN",CTSCALE_INPUT="$1/tiny-10m.h5",CTSCALE_OUTPUT="$2" \
    "$SRC/jobs/ctscale-one.slurm" | cut -d';' -f1
}

reference_long() {
  reference_run "$1" "$2" --input "$1/tiny-10m.h5" --k "${K_LONG// /,}" --spectral none
}

fit_records() { ls "$1.ctscale-progress" 2>/dev/null | grep -c '^fit-[0-9]*$' || true; }

# wait_mid_run OUTPUT JOB: until the run has recorded its first fit (so it is under way
# and resumable), and not all of the 50.
wait_mid_run() {
  local i n
  for ((i = 0; i < 1200; i++)); do
    n=$(fit_records "$1")
    [ "$n" -ge 1 ] && break
    [ -n "$(squeue -h -j "$2" -o %T 2>/dev/null)" ] || fail "job $2 ended before its first progress record"
    sleep 0.1
  done
  [ "$n" -ge 1 ] || fail "no progress record after 120 s"
  [ "$n" -lt 50 ] || fail "the run finished its fits before it could be interrupted; make it longer"
  echo "mid-run: $n fit records in $1.ctscale-progress" >&2
}

# ranks_on NODE: pids of ctscale-mpi processes in NODE's network namespace (ours alone:
# nothing else runs there). Builtins only (-ef compares the namespaces' inodes): a fork per
# process would take seconds on a busy machine.
ranks_on() {
  local f comm p ns=/run/netns/$(mn_ns "$1")
  for f in /proc/[0-9]*/comm; do
    read -r comm 2>/dev/null < "$f" || continue
    [ "$comm" = ctscale-mpi ] || continue
    p=${f#/proc/}; p=${p%/comm}
    [[ /proc/$p/ns/net -ef $ns ]] && echo "$p"
  done
  return 0
}
