#pragma once
/// The stages with a progress journal (run_journal.hpp): work a killed run finished is
/// loaded from its records under --resume, the rest is computed and recorded as it
/// finishes, per matrix for the fit and spectral stages and whole for the transition
/// stage. Without a journal (no --output) they are the plain stages.
#include <boost/mpi/communicator.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ctscale/app/run_journal.hpp"
#include "ctscale/app/run_options.hpp"
#include "ctscale/fit/fit_stage.hpp"
#include "ctscale/spectral/spectral_result.hpp"
#include "ctscale/transition/transition_stage.hpp"

namespace ctscale::app {

struct FitRun {
    std::vector<fit::MatrixResult> matrices;  ///< rank 0: every matrix, in the order given
    double time_read = 0, time_fit = 0;
};

/// Collective. `journal` is rank 0's (null elsewhere, and without --output).
FitRun run_resumable_fit(const io::Checkpoint& checkpoint, const std::vector<io::TensorInfo>& matrices,
                         const fit::FitConfig& config, const RunOptions& options, RunJournal* journal,
                         const boost::mpi::communicator& world);

/// Collective. Rank 0 gets one spectrum per matrix, in the order given.
std::vector<spectral::SpectralResult> run_resumable_spectra(const io::Checkpoint& checkpoint,
                                                            const std::vector<io::TensorInfo>& matrices,
                                                            const RunOptions& options, RunJournal* journal,
                                                            const boost::mpi::communicator& world);

/// Collective. Rank 0 gets the results (the other ranks too when they were computed now).
transition::TransitionResults run_resumable_transition(const std::string& tokens, const RunOptions& options,
                                                       RunJournal* journal, const boost::mpi::communicator& world);

}  // namespace ctscale::app
