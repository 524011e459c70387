#pragma once
/// Error agreement across ranks: an error found on some ranks becomes the same exception
/// on every rank, so no rank is left waiting in a collective call that others never enter.
#include <boost/mpi/communicator.hpp>
#include <functional>

namespace ctscale::mpi {

/// Throws LibraryError naming `call` when an MPI C call did not return MPI_SUCCESS.
void check(int rc, const char* call);

/// Runs `local_work` on every rank, then agrees: if it threw a ctscale::Error on any rank,
/// every rank throws the error of the lowest failing rank (same message, same exit code).
/// Collective: every rank of `comm` must call it.
void all_or_nothing(const boost::mpi::communicator& comm, const std::function<void()>& local_work);

/// Logical OR of a flag over all ranks.
bool any_rank(const boost::mpi::communicator& comm, bool flag);

}  // namespace ctscale::mpi

#define CTSCALE_MPI(call) ::ctscale::mpi::check((call), #call)
