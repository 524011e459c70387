#include "ctscale/app/analysis.hpp"

#include <unistd.h>

#include <boost/mpi/collectives.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <regex>

#include "ctscale/app/dry_run.hpp"
#include "ctscale/app/resumable_fit.hpp"
#include "ctscale/app/results_file.hpp"
#include "ctscale/app/summary_report.hpp"
#include "ctscale/error.hpp"
#include "ctscale/fit/fit_stage.hpp"
#include "ctscale/fit/model_summary.hpp"
#include "ctscale/linalg/blas.hpp"
#include "ctscale/mpi/collective.hpp"
#include "ctscale/synth/checkpoint_writer.hpp"

namespace ctscale::app {
namespace {

/// The embedded default's checkpoint: generated into a temporary file that rank 0 removes
/// when the run ends, however it ends.
class EmbeddedCheckpoint {
public:
    explicit EmbeddedCheckpoint(const boost::mpi::communicator& world) : world_(world) {
        if (world.rank() == 0) {
            const auto directory = std::filesystem::temp_directory_path();
            path_ = (directory / ("ctscale-tiny-10m-" + std::to_string(getpid()) + ".h5")).string();
        }
        boost::mpi::broadcast(world, path_, 0);
        mpi::all_or_nothing(world, [&] {
            try {
                synth::write_checkpoint(path_, synth::preset("tiny-10m"), synth::SynthSettings{}, world);
            } catch (const LibraryError& e) {
                throw InputError(std::string("cannot write the embedded default checkpoint: ") + e.what());
            }
        });
    }
    ~EmbeddedCheckpoint() {
        if (world_.rank() == 0) std::remove(path_.c_str());
    }
    EmbeddedCheckpoint(const EmbeddedCheckpoint&) = delete;
    EmbeddedCheckpoint& operator=(const EmbeddedCheckpoint&) = delete;
    const std::string& path() const noexcept { return path_; }

private:
    const boost::mpi::communicator& world_;
    std::string path_;
};

std::vector<io::TensorInfo> select_matrices(const io::Checkpoint& checkpoint, const RunOptions& options) {
    std::vector<io::TensorInfo> selected;
    const std::regex pattern(options.matrices_regex, std::regex::ECMAScript);
    for (const auto& tensor : checkpoint.tensors()) {
        if (tensor.rank != 2) continue;
        if (!options.matrices_regex.empty() && !std::regex_search(tensor.name, pattern)) continue;
        selected.push_back(tensor);
    }
    if (selected.empty()) {
        throw InputError(checkpoint.path() + ": no 2-D dataset" +
                         (options.matrices_regex.empty() ? "" : " matches --matrices '" + options.matrices_regex + "'"));
    }
    const auto settings = options.settings();
    const bool fittable = std::any_of(selected.begin(), selected.end(), [&](const io::TensorInfo& t) {
        return std::any_of(settings.begin(), settings.end(), [&](const fit::KSetting& s) { return s.k_for(t.cols) <= t.cols; });
    });
    if (!fittable) {
        throw InputError(checkpoint.path() + ": nothing can be fitted: every K setting exceeds the row width of every selected matrix");
    }
    return selected;
}

std::int64_t file_size(const std::string& path) {
    std::error_code error;
    const auto size = std::filesystem::file_size(path, error);
    return error ? -1 : static_cast<std::int64_t>(size);
}

}  // namespace

int run_analysis(const RunOptions& options, const boost::mpi::communicator& world) {
    linalg::set_blas_threads(options.blas_threads);
    const bool root = world.rank() == 0;
    mpi::all_or_nothing(world, [&] {
        if (!root) return;
        if (!options.output.empty()) check_writable_destination(options.output);
        if (!options.json.empty()) check_writable_destination(options.json);
    });

    std::unique_ptr<EmbeddedCheckpoint> embedded;
    if (options.input.empty()) embedded = std::make_unique<EmbeddedCheckpoint>(world);
    const std::string input = embedded ? embedded->path() : options.input;

    std::optional<io::Checkpoint> checkpoint;
    std::vector<io::TensorInfo> matrices;
    mpi::all_or_nothing(world, [&] {
        checkpoint.emplace(io::Checkpoint::open(input, world));
        matrices = select_matrices(*checkpoint, options);
    });

    if (options.dry_run) {
        if (root) print_plan(std::cout, *checkpoint, matrices, options, world.size());
        return 0;
    }

    fit::FitConfig config;
    config.settings = options.settings();
    config.width = options.width;
    config.null_seed = options.null_seed;
    config.memory_per_rank = options.memory_per_rank;
    config.keep_amplitudes = options.save_amplitudes;
    config.fail_on_nonfinite = options.fail_on_nonfinite;

    FitRun fit_run = run_resumable_fit(*checkpoint, matrices, config, options, world);

    mpi::all_or_nothing(world, [&] {
        if (!root) return;
        const fit::ModelSummary summary = fit::summarise(fit_run.matrices, config.settings, checkpoint->total_params());
        RunRecord record;
        record.options = &options;
        record.model = checkpoint->model();
        record.input_file = embedded ? "(embedded tiny-10m)" : std::filesystem::absolute(input).string();
        record.input_size_bytes = file_size(input);
        record.total_params = checkpoint->total_params();
        record.mpi_ranks = world.size();
        record.times = {fit_run.time_read, fit_run.time_fit, 0.0, 0.0};
        if (!options.output.empty()) write_results(options.output, record, fit_run.matrices, summary);
        if (fit_run.journal) fit_run.journal->remove();
        if (!options.json.empty()) write_summary_json(options.json, record, fit_run.matrices, summary);
        print_summary(std::cout, record, fit_run.matrices, summary);
    });
    return 0;
}

}  // namespace ctscale::app
