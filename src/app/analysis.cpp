#include "ctscale/app/analysis.hpp"

#include <algorithm>
#include <boost/mpi/collectives.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <regex>

#include "ctscale/app/dry_run.hpp"
#include "ctscale/app/embedded_inputs.hpp"
#include "ctscale/cli/progress.hpp"
#include "ctscale/app/resumable_stages.hpp"
#include "ctscale/app/results_file.hpp"
#include "ctscale/app/stage_estimate.hpp"
#include "ctscale/app/summary_report.hpp"
#include "ctscale/io/atomic_file.hpp"
#include "ctscale/error.hpp"
#include "ctscale/fit/model_summary.hpp"
#include "ctscale/linalg/blas.hpp"
#include "ctscale/mpi/collective.hpp"
#include "ctscale/mpi/trace.hpp"
#include "ctscale/mpi/working_team.hpp"
#include "ctscale/spectral/spectral_stage.hpp"
#include "ctscale/transition/transition_stage.hpp"

namespace ctscale::app {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<io::TensorInfo> select_matrices(const io::Checkpoint& checkpoint, const RunOptions& options) {
    std::vector<io::TensorInfo> selected;
    const std::regex pattern(options.matrices_regex, std::regex::ECMAScript);
    for (const auto& tensor : checkpoint.tensors()) {
        if (tensor.rank != 2) continue;
        if (!options.matrices_regex.empty() && !std::regex_search(tensor.name, pattern)) continue;
        selected.push_back(tensor);
    }
    if (selected.empty()) {
        throw InputError(
            checkpoint.path() + ": no 2-D dataset" +
            (options.matrices_regex.empty() ? "" : " matches --matrices '" + options.matrices_regex + "'"));
    }
    const auto settings = options.settings();
    const bool fittable = std::any_of(selected.begin(), selected.end(), [&](const io::TensorInfo& t) {
        return std::any_of(settings.begin(), settings.end(),
                           [&](const fit::KSetting& s) { return s.k_for(t.cols) <= t.cols; });
    });
    if (!fittable) {
        throw InputError(checkpoint.path() +
                         ": nothing can be fitted: every K setting exceeds the row width of every selected matrix");
    }
    return selected;
}

std::int64_t file_size(const std::string& path) {
    std::error_code error;
    const auto size = std::filesystem::file_size(path, error);
    return error ? -1 : static_cast<std::int64_t>(size);
}

fit::FitConfig fit_config(const RunOptions& options) {
    fit::FitConfig config;
    config.settings = options.settings();
    config.width = options.width;
    config.null_seed = options.null_seed;
    config.memory_per_rank = options.memory_per_rank;
    config.keep_amplitudes = options.save_amplitudes;
    config.fail_on_nonfinite = options.fail_on_nonfinite;
    return config;
}

/// Fit and spectral stages on a checkpoint; rank 0 gets the results.
void analyse_checkpoint(const io::Checkpoint& checkpoint, const std::vector<io::TensorInfo>& matrices,
                        const RunOptions& options, RunJournal* journal, const boost::mpi::communicator& world,
                        RunRecord& record, RunResults& results) {
    const fit::FitConfig config = fit_config(options);
    mpi::trace::phase("fit");
    FitRun fit_run = run_resumable_fit(checkpoint, matrices, config, options, journal, world);
    record.times.read = fit_run.time_read;
    record.times.fit = fit_run.time_fit;

    mpi::trace::phase("spectral");
    const auto start = Clock::now();
    results.spectra = run_resumable_spectra(checkpoint, matrices, options, journal, world);
    record.times.spectral = std::chrono::duration<double>(Clock::now() - start).count();

    if (world.rank() == 0) {
        results.matrices = std::move(fit_run.matrices);
        results.summary = fit::summarise(results.matrices, config.settings, checkpoint.total_params());
        record.model = checkpoint.model();
        record.total_params = checkpoint.total_params();
    }
}

/// The bytes of input a run will analyse, for the number of working ranks; unreadable
/// files count as nothing (one rank then reports them).
std::int64_t input_bytes(const RunOptions& options) {
    if (options.input.empty() && options.tokens.empty()) return EmbeddedInputs::approximate_bytes();
    std::int64_t bytes = 0;
    for (const std::string& path : {options.input, options.tokens}) {
        if (!path.empty()) bytes += std::max<std::int64_t>(0, file_size(path));
    }
    return bytes;
}

/// The whole run, on the working ranks' communicator `team`; `bytes_of_input` is rank 0's (what the dry run plans
/// with).
int analyse(const RunOptions& options, const boost::mpi::communicator& team, int launched_ranks,
            std::int64_t bytes_of_input) {
    linalg::set_blas_threads(options.blas_threads);
    const bool root = team.rank() == 0;
    mpi::trace::phase("check_outputs");
    mpi::all_or_nothing(team, [&] {
        if (!root) return;
        if (!options.output.empty()) io::check_writable_destination(options.output);
        if (!options.json.empty()) io::check_writable_destination(options.json);
    });

    std::unique_ptr<EmbeddedInputs> embedded;
    if (options.input.empty() && options.tokens.empty()) embedded = std::make_unique<EmbeddedInputs>(team);
    const std::string input = embedded ? embedded->checkpoint() : options.input;
    const std::string tokens = embedded ? embedded->tokens() : options.tokens;

    std::optional<io::Checkpoint> checkpoint;
    std::vector<io::TensorInfo> matrices;
    if (!input.empty()) {
        mpi::trace::phase("open_checkpoint");
        mpi::all_or_nothing(team, [&] {
            checkpoint.emplace(io::Checkpoint::open(input, team));
            matrices = select_matrices(*checkpoint, options);
        });
    }
    if (options.dry_run) {
        run_dry_run(std::cout, checkpoint ? &*checkpoint : nullptr, matrices, tokens, options, team, launched_ranks,
                    bytes_of_input);
        return 0;
    }

    if (root && team.size() < launched_ranks && !options.quiet) {
        std::fprintf(stderr,
                     "ctscale-mpi: %d of %d ranks work, each on at least --min-work-per-rank (%.3g MiB) of input; "
                     "the others wait\n",
                     team.size(), launched_ranks, double(options.min_work_per_rank) / (1 << 20));
    }
    RunRecord record;
    record.options = &options;
    record.mpi_ranks = launched_ranks;
    record.working_ranks = team.size();
    RunResults results;
    // The progress journal (rank 0, with --output): what each stage finished, for --resume.
    std::unique_ptr<RunJournal> journal;
    mpi::trace::phase("journal");
    mpi::all_or_nothing(team, [&] {
        if (root && !options.output.empty()) {
            journal =
                std::make_unique<RunJournal>(options.output, run_fingerprint(input, tokens, options), options.resume);
        }
    });
    if (checkpoint) analyse_checkpoint(*checkpoint, matrices, options, journal.get(), team, record, results);
    if (!tokens.empty()) {
        mpi::trace::phase("transition");
        results.transition = run_resumable_transition(tokens, options, journal.get(), team);
        record.times.transition = results.transition->seconds;
        if (root && !results.transition->warning.empty()) {
            std::cerr << "ctscale-mpi: warning: " << results.transition->warning << "\n";
        }
    }

    mpi::trace::phase("results");
    record.peak_rss_bytes = boost::mpi::all_reduce(team, peak_resident_bytes(), boost::mpi::maximum<std::int64_t>());
    mpi::all_or_nothing(team, [&] {
        if (!root) return;
        record.input_file = embedded        ? "(embedded tiny-10m)"
                            : input.empty() ? ""
                                            : std::filesystem::absolute(input).string();
        record.input_size_bytes = input.empty() ? 0 : file_size(input);
        if (!options.output.empty()) write_results(options.output, record, results);
        if (journal) journal->remove();
        if (!options.json.empty()) write_summary_json(options.json, record, results);
        print_summary(std::cout, record, results);
    });
    mpi::trace::report(team);
    return 0;
}

}  // namespace

int run_analysis(const RunOptions& options, const boost::mpi::communicator& world) {
    const std::int64_t bytes = world.rank() == 0 ? input_bytes(options) : 0;
    const mpi::WorkingTeam team(world, bytes, options.min_work_per_rank);
    if (!team.working()) return team.await_outcome();
    try {
        const int code = analyse(options, team.comm(), world.size(), bytes);
        team.announce_outcome(code);
        return code;
    } catch (const Error& e) {
        team.announce_outcome(e.exit_code());
        throw;
    }
}

}  // namespace ctscale::app
