#include "ctscale/app/resumable_stages.hpp"

#include <boost/mpi/collectives.hpp>
#include <boost/serialization/vector.hpp>
#include <iostream>

#include "ctscale/cli/progress.hpp"
#include "ctscale/error.hpp"
#include "ctscale/fit/matrix_record.hpp"
#include "ctscale/mpi/collective.hpp"
#include "ctscale/spectral/spectral_stage.hpp"
#include "ctscale/spectral/spectrum_record.hpp"
#include "ctscale/transition/transition_record.hpp"

namespace ctscale::app {
namespace {

/// Rank 0: the results of `kind` a killed run recorded, decoded, checked to belong to
/// `matrices` (an index beyond them, or a result `belongs` rejects, means another run's
/// journal).
template <class Result, class Decode, class Belongs>
std::map<std::size_t, Result> load_records(RunJournal* journal, const std::string& kind,
                                           const std::vector<io::TensorInfo>& matrices, Decode decode, Belongs belongs,
                                           const boost::mpi::communicator& world, const RunOptions& options) {
    std::map<std::size_t, Result> loaded;
    mpi::all_or_nothing(world, [&] {
        if (!journal || !options.resume) return;
        for (auto& [index, record] : journal->finished(kind)) {
            Result result = decode(record.bytes, record.path);
            if (index >= matrices.size() || !belongs(result, matrices[index])) {
                throw InputError("cannot --resume: " + journal->directory() + " holds a record of another matrix");
            }
            loaded.emplace(index, std::move(result));
        }
    });
    return loaded;
}

/// Rank 0, on --resume: says what was reloaded instead of recomputed (also under --quiet:
/// it is not progress but what the run will do).
void report_resumed(RunJournal* journal, const RunOptions& options, const std::string& what) {
    if (journal && options.resume)
        std::cerr << "ctscale-mpi: resuming: " << what << " from " << journal->directory() << "\n";
}

/// "12 of 240 spectra".
std::string reused(std::size_t loaded, std::size_t total, const char* what) {
    return std::to_string(loaded) + " of " + std::to_string(total) + " " + what;
}

/// The matrices still to do, with their indices in `matrices`; the same on every rank.
template <class Result>
std::vector<std::size_t> remaining(const std::map<std::size_t, Result>& loaded, std::size_t count,
                                   const boost::mpi::communicator& world) {
    std::vector<std::size_t> done;
    for (const auto& entry : loaded) done.push_back(entry.first);
    boost::mpi::broadcast(world, done, 0);
    std::vector<std::size_t> pending;
    for (std::size_t i = 0; i < count; ++i) {
        if (!std::binary_search(done.begin(), done.end(), i)) pending.push_back(i);
    }
    return pending;
}

std::vector<io::TensorInfo> select(const std::vector<io::TensorInfo>& matrices, const std::vector<std::size_t>& which) {
    std::vector<io::TensorInfo> selected;
    for (std::size_t i : which) selected.push_back(matrices[i]);
    return selected;
}

/// Rank 0: the loaded results and the fresh ones (in `pending` order) merged in matrix order.
template <class Result>
std::vector<Result> merge(std::map<std::size_t, Result>& loaded, std::vector<Result>& fresh, std::size_t count) {
    std::vector<Result> all;
    auto next = fresh.begin();
    for (std::size_t i = 0; i < count; ++i) {
        auto found = loaded.find(i);
        all.push_back(found != loaded.end() ? std::move(found->second) : std::move(*next++));
    }
    return all;
}

/// Makes the last records durable; a journal that could not be written fails the run.
void flush(RunJournal* journal, const boost::mpi::communicator& world) {
    mpi::all_or_nothing(world, [&] {
        if (journal) journal->flush();
    });
}

}  // namespace

FitRun run_resumable_fit(const io::Checkpoint& checkpoint, const std::vector<io::TensorInfo>& matrices,
                         const fit::FitConfig& config, const RunOptions& options, RunJournal* journal,
                         const boost::mpi::communicator& world) {
    const auto same_matrix = [](const fit::MatrixResult& result, const io::TensorInfo& matrix) {
        return result.tensor.name == matrix.name;
    };
    auto loaded =
        load_records<fit::MatrixResult>(journal, "fit", matrices, fit::decode_record, same_matrix, world, options);
    const std::vector<std::size_t> pending_index = remaining(loaded, matrices.size(), world);
    const std::vector<io::TensorInfo> pending = select(matrices, pending_index);
    report_resumed(journal, options, reused(loaded.size(), matrices.size(), "fits"));

    std::int64_t total_bytes = 0;
    for (const auto& m : pending) total_bytes += m.n_params() * static_cast<std::int64_t>(io::bytes_of(m.dtype));
    cli::Progress progress(world.rank() == 0 && !options.quiet, "ctscale-mpi");
    const std::size_t already = matrices.size() - pending.size();
    fit::FitStage stage = fit::run_fit_stage(
        checkpoint, pending, config, world,
        [&](std::size_t count, std::int64_t bytes) {
            progress.update(already + count, matrices.size(), "matrices", bytes, total_bytes);
        },
        [&](std::size_t position, const fit::MatrixResult& result) {
            if (journal) journal->save("fit", pending_index[position], fit::encode_record(result));
        });
    progress.finish();
    flush(journal, world);

    FitRun run;
    run.time_read = stage.time_read;
    run.time_fit = stage.time_fit;
    if (world.rank() == 0) run.matrices = merge(loaded, stage.matrices, matrices.size());
    return run;
}

std::vector<spectral::SpectralResult> run_resumable_spectra(const io::Checkpoint& checkpoint,
                                                            const std::vector<io::TensorInfo>& matrices,
                                                            const RunOptions& options, RunJournal* journal,
                                                            const boost::mpi::communicator& world) {
    if (options.spectral == spectral::SpectralMode::none) journal = nullptr;  // nothing worth keeping
    // A spectrum record does not name its matrix: the journal's fingerprint vouches for it.
    const auto any_matrix = [](const spectral::SpectralResult&, const io::TensorInfo&) { return true; };
    auto loaded = load_records<spectral::SpectralResult>(journal, "spectrum", matrices,
                                                         spectral::decode_spectrum_record, any_matrix, world, options);
    const std::vector<std::size_t> pending_index = remaining(loaded, matrices.size(), world);
    const std::vector<io::TensorInfo> pending = select(matrices, pending_index);
    report_resumed(journal, options, reused(loaded.size(), matrices.size(), "spectra"));

    cli::Progress progress(world.rank() == 0 && !options.quiet, "ctscale-mpi spectra", cli::WorkMeasure::gigaflops());
    const std::size_t already = matrices.size() - pending.size();
    std::vector<spectral::SpectralResult> fresh = spectral::run_spectral_stage(
        checkpoint, pending, options.spectral, options.memory_per_rank, world,
        [&](std::size_t done, double work, double total) {
            progress.update(already + done, matrices.size(), "matrices", work, total);
        },
        [&](std::size_t position, const spectral::SpectralResult& result) {
            if (journal) journal->save("spectrum", pending_index[position], spectral::encode_spectrum_record(result));
        });
    progress.finish();
    flush(journal, world);
    return world.rank() == 0 ? merge(loaded, fresh, matrices.size()) : std::vector<spectral::SpectralResult>{};
}

transition::TransitionResults run_resumable_transition(const std::string& tokens, const RunOptions& options,
                                                       RunJournal* journal, const boost::mpi::communicator& world) {
    std::optional<transition::TransitionResults> loaded;
    mpi::all_or_nothing(world, [&] {
        if (!journal || !options.resume) return;
        for (const auto& [index, record] : journal->finished("transition")) {
            loaded = transition::decode_transition_record(record.bytes, record.path);
        }
    });
    if (mpi::any_rank(world, loaded.has_value())) {
        report_resumed(journal, options, "the transition results");
        return loaded.value_or(transition::TransitionResults{});
    }
    transition::TransitionResults results =
        transition::run_transition_stage(tokens, options.vocab, options.vocab_explicit, options.null_seed,
                                         options.spectral == spectral::SpectralMode::full, world);
    mpi::all_or_nothing(world, [&] {
        if (!journal) return;
        journal->save("transition", 0, transition::encode_transition_record(results));
        journal->flush();
    });
    return results;
}

}  // namespace ctscale::app
