#pragma once
/// Waits for ranks that arrive early: they sleep between polls instead of spinning, so their
/// cores are left to the ranks still working (a spinning rank halves a solver's speed on a
/// shared node, and with many ranks per core every blocking collective costs each rank a
/// time slice: BENCHMARKS.md, "Many ranks on one node").
#include <mpi.h>

#include <chrono>

namespace ctscale::mpi {

/// Completes `request` (a non-blocking collective, typically): polls it with MPI_Test for
/// about 50 µs, then with sleeps that back off from 20 µs to `longest_sleep`. Returns false,
/// without throwing, when it did not complete within `timeout` (the request is then
/// abandoned) or MPI failed.
bool sleeping_wait(MPI_Request& request,
                   std::chrono::steady_clock::duration timeout = std::chrono::steady_clock::duration::max(),
                   std::chrono::microseconds longest_sleep = std::chrono::milliseconds(1));

/// Waits until every rank of `comm` has called it: an MPI_Ibarrier completed by
/// sleeping_wait. Returns false, without throwing, when not every rank arrived within
/// `timeout` or MPI failed (so an error path can call it). Collective.
bool sleeping_barrier(MPI_Comm comm,
                      std::chrono::steady_clock::duration timeout = std::chrono::steady_clock::duration::max());

}  // namespace ctscale::mpi
