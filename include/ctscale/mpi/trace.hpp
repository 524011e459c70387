#pragma once
/// Opt-in phase timing for finding where a run's time goes at many ranks. With
/// CTSCALE_TRACE=1 in the environment, `trace::phase("name")` ends the phase before it and
/// starts `name` (local and cheap; also MPI_Pcontrol(1, name), so a PMPI tool such as
/// bench/mpi_calls.c can count MPI calls per phase), and `trace::report` prints to stderr,
/// from rank 0, every phase's wall seconds on rank 0 and the max over ranks. Without the
/// variable both do nothing.
#include <mpi.h>

namespace ctscale::mpi::trace {

/// Whether CTSCALE_TRACE is set to something other than "" or "0".
bool enabled();

/// Ends the current phase and starts `name` (a string literal without spaces: kept by pointer). The first
/// call also records how long the process took from exec to here, and from
/// CTSCALE_TRACE_T0 (a launcher's Unix time in seconds, if set) to here.
void phase(const char* name);

/// Ends the last phase and prints the table. Collective over `comm` when enabled; every
/// rank must have passed the same phases.
void report(MPI_Comm comm);

}  // namespace ctscale::mpi::trace
