#pragma once
/// The ctscale-mpi pipeline: open (or synthesise) the checkpoint, select matrices, run the
/// fit stage, then on rank 0 summarise, print and write the results.
#include <boost/mpi/communicator.hpp>

#include "ctscale/app/run_options.hpp"

namespace ctscale::app {

/// Collective over `world`; the work runs on the working ranks (mpi/working_team.hpp) and
/// the others wait for its outcome. Returns the exit code (0); errors are thrown on every rank.
int run_analysis(const RunOptions& options, const boost::mpi::communicator& world);

}  // namespace ctscale::app
