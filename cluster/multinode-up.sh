#!/usr/bin/env bash
# Brings up a two-node Slurm on this machine: nodes node1 and node2 are network
# namespaces (ctscale-n1, ctscale-n2), each with its own hostname, its own address on a
# private bridge (10.251.0.11 and .12) and its own slurmd; slurmctld and munged run in
# the root namespace (slurmctld at the bridge's 10.251.0.1). The file system, /tmp
# included, is shared, as a cluster's shared file system would be. Idempotent: what
# exists is kept, what is missing or dead is (re)created. Waits until both nodes are
# idle, then prints the lines that point Slurm's commands and Open MPI at it:
#
#   eval "$(bash cluster/multinode-up.sh)"   # SLURM_CONF, and OMPI_MCA_btl=self,vader,tcp ...
#   sbatch -N 2 --ntasks-per-node=2 jobs/ctscale-one.slurm; squeue; sinfo
#   bash cluster/multinode-down.sh           # stops it all and deletes the namespaces
#
# Environment: see cluster/multinode-lib.sh (directory, ports, subnet); CTSCALE_SLURM_INSTALL=0
# skips scripts/install-slurm.sh. Logs: $CTSCALE_MULTINODE_DIR/log/slurmctld.log,
# slurmd-node1.log, slurmd-node2.log, munge/munged.log.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/multinode-lib.sh"

slurm_setup_as_root "namespaces, veth pairs and the Slurm daemons need it"
slurm_prepare_dir

# ---- network: the bridge, then one namespace and veth pair per node ----------------------
# Refuse a subnet the host already reaches through another route (the default route aside)
# rather than shadow it.
other=$(ip -4 route show match "$MN_CIDR" | grep -v -e '^default ' -e "dev $MN_BRIDGE " || true)
[ -z "$other" ] || { slurm_log "$MN_CIDR is already routed on this host ($other); set CTSCALE_MULTINODE_NET"; exit 1; }
net_fail() { slurm_log "$1 failed: the two nodes need network namespaces, veth pairs and a bridge (root with CAP_NET_ADMIN and CAP_SYS_ADMIN; in a container, --privileged)"; exit 1; }
ip link show "$MN_BRIDGE" >/dev/null 2>&1 || ip link add "$MN_BRIDGE" type bridge || net_fail "creating bridge $MN_BRIDGE"
ip addr replace "$MN_CTLD_ADDR/24" dev "$MN_BRIDGE"
ip link set "$MN_BRIDGE" up
for node in "${MN_NODES[@]}"; do
  ns=$(mn_ns "$node") veth=$(mn_veth "$node")
  mn_ns_exists "$ns" || ip netns add "$ns" || net_fail "creating network namespace $ns"
  ip -n "$ns" link set lo up
  # A veth whose other end is not in the namespace (an interrupted earlier run) is redone.
  if ip link show "$veth" >/dev/null 2>&1 && ! ip -n "$ns" link show "$MN_IF" >/dev/null 2>&1; then
    ip link del "$veth"
  fi
  ip link show "$veth" >/dev/null 2>&1 || ip link add "$veth" type veth peer name "$MN_IF" netns "$ns" ||
    net_fail "creating veth pair $veth"
  ip link set "$veth" master "$MN_BRIDGE" up
  ip -n "$ns" addr replace "$(mn_addr "$node")/24" dev "$MN_IF"
  ip -n "$ns" link set "$MN_IF" up      # also brings back a link a fault test took down
done

# ---- configuration ---------------------------------------------------------------------
mkdir -p "${MN_NODES[@]/#/$SLURM_DIR/spool/}" "${MN_NODES[@]/#/$SLURM_DIR/tmp/}"
sed -e "s|@DIR@|$SLURM_DIR|g" -e "s|@CTLD_PORT@|$CTLD_PORT|g" -e "s|@SLURMD_PORT@|$SLURMD_PORT|g" \
    -e "s|@CTLD_ADDR@|$MN_CTLD_ADDR|g" -e "s|@NODE1_ADDR@|$(mn_addr node1)|g" \
    -e "s|@NODE2_ADDR@|$(mn_addr node2)|g" -e "s|@NODE_HW@|$(slurm_node_hw)|g" \
    "$here/multinode.conf.in" > "$CONF.new"
if [ -e "$CONF" ] && cmp -s "$CONF.new" "$CONF"; then
  rm -f "$CONF.new"
else
  slurm_log "configuration changed (or new): restarting the Slurm daemons that run"
  for node in "${MN_NODES[@]}"; do slurm_stop_pid "$(mn_slurmd_pid "$node")" slurmd; done
  slurm_stop_pid "$SLURMCTLD_PID" slurmctld
  mv -f "$CONF.new" "$CONF"
fi

# ---- daemons -----------------------------------------------------------------------------
slurm_start_munged
slurm_start_slurmctld
for node in "${MN_NODES[@]}"; do
  # In the node's network namespace and a UTS namespace of its own named after the node:
  # slurmd's children (slurmstepd, the ranks) inherit both. nsenter, not `ip netns exec`,
  # which also remounts /sys, without the cgroup file system slurmd needs.
  slurm_start_slurmd "$node" "$(mn_slurmd_pid "$node")" \
    nsenter --net="/run/netns/$(mn_ns "$node")" unshare --uts -- sh -c 'hostname "$0" && exec "$@"' "$node"
done
for node in "${MN_NODES[@]}"; do slurm_wait_node "$node"; done
echo "export SLURM_CONF=$CONF"
echo "export $MN_OMPI_ENV"
