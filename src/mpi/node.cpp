#include "ctscale/mpi/node.hpp"

#include <mpi.h>

#include "ctscale/mpi/collective.hpp"

namespace ctscale::mpi {

boost::mpi::communicator node_ranks(const boost::mpi::communicator& comm) {
    MPI_Comm node = MPI_COMM_NULL;
    CTSCALE_MPI(MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, comm.rank(), MPI_INFO_NULL, &node));
    return {node, boost::mpi::comm_take_ownership};
}

}  // namespace ctscale::mpi
