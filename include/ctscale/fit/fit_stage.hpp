#pragma once
/// The fit stage over a checkpoint (docs/computation.md, docs/definitions.md §1–4): each rank
/// streams its row block of every selected matrix once, in sub-blocks sized by the memory budget; one read serves
/// every K setting and the null baseline; rank 0 assembles the per-matrix results.
#include <boost/mpi/communicator.hpp>
#include <cstdint>
#include <functional>
#include <vector>

#include "ctscale/fit/matrix_result.hpp"
#include "ctscale/fit/width_plan.hpp"
#include "ctscale/io/checkpoint.hpp"

namespace ctscale::fit {

struct FitConfig {
    std::vector<KSetting> settings;
    double width = 1.0;
    std::uint64_t null_seed = 0;
    std::int64_t memory_per_rank = std::int64_t{2} << 30;
    bool keep_amplitudes = false;
    bool fail_on_nonfinite = true;  ///< else matrices with NaN/Inf are skipped
};

struct FitStage {
    std::vector<MatrixResult> matrices;  ///< rank 0 only, in the order given
    double time_read = 0;                ///< seconds in collective reads (rank 0)
    double time_fit = 0;                 ///< seconds computing and reducing (rank 0)
};

/// Called on rank 0 after each matrix with (matrices done, bytes read so far on all ranks).
using FitProgress = std::function<void(std::size_t, std::int64_t)>;

/// Called on rank 0 with each finished matrix (its position in `matrices`); an Error it
/// throws stops the stage on every rank.
using MatrixDone = std::function<void(std::size_t, const MatrixResult&)>;

/// Bytes of working memory per row of a sub-block of `tensor` (stored and double row,
/// projections, amplitudes, the banded route's buffers): what sizes the fit's sub-blocks.
std::int64_t fit_bytes_per_row(const io::TensorInfo& tensor, const WidthPlan& plan);

/// The fit's sub-block budget in bytes for a --mem-per-rank of `memory_per_rank`.
std::int64_t fit_block_budget(std::int64_t memory_per_rank);

/// Collective. Throws InputError (on every rank) for non-finite weights unless skipping.
FitStage run_fit_stage(const io::Checkpoint& checkpoint, const std::vector<io::TensorInfo>& matrices,
                       const FitConfig& config, const boost::mpi::communicator& comm, const FitProgress& progress = {},
                       const MatrixDone& on_matrix = {});

}  // namespace ctscale::fit
