# Sourced by cluster/multinode-up.sh, multinode-down.sh and tests/multinode: the names and
# addresses of the two-node Slurm on this machine, on top of slurm-lib.sh's helpers.
#
#   CTSCALE_MULTINODE_DIR          runtime directory [/tmp/ctscale-multinode]
#   CTSCALE_MULTINODE_CTLD_PORT    slurmctld's port [6827] (the single-node Slurm has 6817)
#   CTSCALE_MULTINODE_SLURMD_PORT  slurmd's port in each namespace [6828]
#   CTSCALE_MULTINODE_NET          first three octets of the private /24 [10.251.0]
#
# Layout: a bridge in the root namespace holds the controller's address (.1); each node
# is a network namespace ctscale-nI (hostname nodeI, its own UTS namespace) linked to the
# bridge by a veth pair, with address .1I. Apart from the bridge and its subnet route,
# nothing on the host is touched.
CTSCALE_SLURM_DIR=${CTSCALE_MULTINODE_DIR:-/tmp/ctscale-multinode}
CTSCALE_SLURMCTLD_PORT=${CTSCALE_MULTINODE_CTLD_PORT:-6827}
CTSCALE_SLURMD_PORT=${CTSCALE_MULTINODE_SLURMD_PORT:-6828}
source "$(dirname "${BASH_SOURCE[0]}")/slurm-lib.sh"

MN_NET=${CTSCALE_MULTINODE_NET:-10.251.0}
MN_CIDR=$MN_NET.0/24
MN_CTLD_ADDR=$MN_NET.1
MN_BRIDGE=ctmn-br0
MN_NODES=(node1 node2)
MN_IF=mn0                      # the node's interface, inside its namespace

mn_ns() { echo "ctscale-n${1#node}"; }        # node1 -> ctscale-n1
mn_addr() { echo "$MN_NET.1${1#node}"; }      # node1 -> 10.251.0.11
mn_veth() { echo "ctmn-${1#node}"; }          # node1 -> ctmn-1, the bridge's end
mn_slurmd_pid() { echo "$SLURM_DIR/run/slurmd-$1.pid"; }   # SlurmdPidFile with %n
mn_ns_exists() { ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$1"; }

# Open MPI's transports for this "cluster", as a site's module would set them: shared
# memory within a node, TCP between nodes over the private network only, and ob1 (UCX
# would choose its own transports and bypass the btl selection). And, for this machine
# only: the two nodes' 4 CPUs are 2 cores, and ranks that busy-poll while they wait
# starve the ones they wait for (ctscale-synth tiny-10m on 2x2 ranks: 18 s; yielding: 3 s).
MN_OMPI_ENV="OMPI_MCA_pml=ob1 OMPI_MCA_btl=self,vader,tcp OMPI_MCA_btl_tcp_if_include=$MN_CIDR OMPI_MCA_mpi_yield_when_idle=1"
