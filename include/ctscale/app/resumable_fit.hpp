#pragma once
/// The fit stage with a progress journal: matrices finished by a killed run are loaded
/// from their records (--resume), the rest are fitted and recorded as they finish.
#include <boost/mpi/communicator.hpp>
#include <memory>
#include <vector>

#include "ctscale/app/run_journal.hpp"
#include "ctscale/app/run_options.hpp"
#include "ctscale/fit/fit_stage.hpp"

namespace ctscale::app {

struct FitRun {
    std::vector<fit::MatrixResult> matrices;  ///< rank 0: every matrix, in the order given
    double time_read = 0, time_fit = 0;
    std::unique_ptr<RunJournal> journal;  ///< rank 0, when there is an --output
};

/// Collective.
FitRun run_resumable_fit(const io::Checkpoint& checkpoint, const std::vector<io::TensorInfo>& matrices,
                         const fit::FitConfig& config, const RunOptions& options,
                         const boost::mpi::communicator& world);

}  // namespace ctscale::app
