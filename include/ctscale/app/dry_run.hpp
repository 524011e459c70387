#pragma once
/// `ctscale-mpi --dry-run`: the plan a job script needs — matrices and shapes, rows per
/// rank, each stage's estimated time and each rank's peak memory for one or more rank
/// counts — from the checkpoint's metadata and a few seconds of calibration
/// (machine_rates.hpp), so users size --ntasks and --mem-per-cpu before they queue.
#include <iosfwd>
#include <vector>

#include "ctscale/app/machine_rates.hpp"
#include "ctscale/app/run_options.hpp"
#include "ctscale/app/stage_estimate.hpp"
#include "ctscale/io/checkpoint.hpp"

namespace ctscale::app {

/// Collective over the working ranks `comm`: calibrates, then rank 0 prints the plan to
/// `out`. `checkpoint` is null and `matrices` empty for a token stream alone; `tokens` is
/// empty without one. The plan is for `launched_ranks` (or --plan-ranks), each count with
/// the working ranks `input_bytes` gives it (mpi/working_team.hpp).
void run_dry_run(std::ostream& out, const io::Checkpoint* checkpoint, const std::vector<io::TensorInfo>& matrices,
                 const std::string& tokens, const RunOptions& options, const boost::mpi::communicator& comm,
                 int launched_ranks, std::int64_t input_bytes);

}  // namespace ctscale::app
