#pragma once
/// A barrier for ranks that finish early: they sleep between polls instead of spinning, so
/// their cores are left to the ranks still working (a spinning rank halves a solver's speed
/// on a shared node).
#include <mpi.h>

#include <chrono>

namespace ctscale::mpi {

/// Waits until every rank of `comm` has called it, polling an MPI_Ibarrier with sleeps
/// that back off from 20 µs to 2 ms. Returns false, without throwing, when not every rank
/// arrived within `timeout` or MPI failed (so an error path can call it). Collective.
bool sleeping_barrier(MPI_Comm comm,
                      std::chrono::steady_clock::duration timeout = std::chrono::steady_clock::duration::max());

}  // namespace ctscale::mpi
