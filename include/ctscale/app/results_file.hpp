#pragma once
/// The `ctscale.results` v1 file (hdf5_schemas/README.md), assembled in memory by rank 0, written to a
/// temporary name beside the target, synced and renamed into place, so an existing file is
/// never left half-written or corrupted.
#include <hdf5.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ctscale/app/run_options.hpp"
#include "ctscale/fit/model_summary.hpp"
#include "ctscale/io/checkpoint.hpp"
#include "ctscale/spectral/spectral_result.hpp"
#include "ctscale/transition/transition_stage.hpp"

namespace ctscale::app {

struct StageTimes {
    double read = 0, fit = 0, spectral = 0, transition = 0;
};

/// Everything the results file records besides the numbers.
struct RunRecord {
    const RunOptions* options = nullptr;
    io::ModelInfo model;
    std::string input_file;
    std::int64_t input_size_bytes = 0;
    std::int64_t total_params = 0;
    int mpi_ranks = 1;      ///< launched
    int working_ranks = 1;  ///< of them, those that did the work (--min-work-per-rank)
    StageTimes times;
    std::int64_t peak_rss_bytes = 0;  ///< the largest VmHWM of any rank
};

/// The numbers of a run, on rank 0.
struct RunResults {
    std::vector<fit::MatrixResult> matrices;
    std::vector<spectral::SpectralResult> spectra;  ///< one per matrix (NaN fields in mode none)
    fit::ModelSummary summary;
    std::optional<transition::TransitionResults> transition;
};

/// Writes /transition (hdf5_schemas/README.md) into an open file: one /transition/summary row
/// per V, the slopes as attributes of that dataset, provenance attributes on the group and,
/// in full mode, the singular values per V. Part of write_results.
void write_transition_group(hid_t results_file, const transition::TransitionResults& results);

/// Rank 0 only. Throws InputError naming the path when it cannot be written.
void write_results(const std::string& path, const RunRecord& record, const RunResults& results);

}  // namespace ctscale::app
