#pragma once
/// The ranks that share a node (MPI_COMM_TYPE_SHARED), for work that lends cores between them.
#include <boost/mpi/communicator.hpp>

namespace ctscale::mpi {

/// The ranks of `comm` that share this rank's node, in `comm` rank order. Collective.
boost::mpi::communicator node_ranks(const boost::mpi::communicator& comm);

}  // namespace ctscale::mpi
