#pragma once
/// Error agreement across ranks: an error found on some ranks becomes the same exception
/// on every rank, so no rank is left waiting in a collective call that others never enter.
#include <mpi.h>

#include <boost/mpi/communicator.hpp>
#include <functional>

namespace ctscale::mpi {

/// Throws LibraryError naming `call` when an MPI C call did not return MPI_SUCCESS.
void check(int rc, const char* call);

/// Runs `local_work` on every rank, then agrees: if it threw a ctscale::Error on any rank,
/// every rank throws the error of the lowest failing rank (same message, same exit code).
/// Collective: every rank of `comm` must call it. The agreement is one allreduce_sleeping.
void all_or_nothing(const boost::mpi::communicator& comm, const std::function<void()>& local_work);

/// Completes `request` with sleeping_wait (sleeping_barrier.hpp): a rank that arrives
/// early at a collective leaves its core to the others. Throws LibraryError naming `call`
/// if MPI fails.
void wait_sleeping(MPI_Request& request, const char* call);

/// MPI_Allreduce of one int, waited for with sleeping_wait (sleeping_barrier.hpp): a rank
/// that arrives early leaves its core to the others. Throws LibraryError if MPI fails.
void allreduce_sleeping(const int* local, int* global, MPI_Op op, const boost::mpi::communicator& comm);

/// Logical OR of a flag over all ranks (allreduce_sleeping).
bool any_rank(const boost::mpi::communicator& comm, bool flag);

}  // namespace ctscale::mpi

#define CTSCALE_MPI(call) ::ctscale::mpi::check((call), #call)
