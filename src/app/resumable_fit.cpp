#include "ctscale/app/resumable_fit.hpp"

#include <sys/stat.h>

#include <boost/mpi/collectives.hpp>
#include <boost/serialization/vector.hpp>
#include <filesystem>
#include <sstream>

#include "ctscale/cli/progress.hpp"
#include "ctscale/error.hpp"
#include "ctscale/mpi/collective.hpp"

namespace ctscale::app {
namespace {

/// Everything that decides the numbers of a run: records are only reused for the same.
std::string fingerprint(const io::Checkpoint& checkpoint, const RunOptions& o) {
    struct stat info {};
    stat(checkpoint.path().c_str(), &info);
    std::ostringstream text;
    text << "input=" << std::filesystem::absolute(checkpoint.path()).string() << "\nsize=" << info.st_size
         << "\nmtime=" << info.st_mtim.tv_sec << "." << info.st_mtim.tv_nsec << "\nk=";
    for (auto k : o.k_values) text << k << ",";
    text << "\nk_rule=" << (o.k_rule ? o.k_rule->text() : "none") << "\nwidth=" << std::hexfloat << o.width
         << "\nnull_seed=" << o.null_seed << "\nmatrices=" << o.matrices_regex
         << "\non_nonfinite=" << (o.fail_on_nonfinite ? "fail" : "skip") << "\nsave_amplitudes=" << o.save_amplitudes
         << "\n";
    return text.str();
}

}  // namespace

FitRun run_resumable_fit(const io::Checkpoint& checkpoint, const std::vector<io::TensorInfo>& matrices,
                         const fit::FitConfig& config, const RunOptions& options,
                         const boost::mpi::communicator& world) {
    const bool root = world.rank() == 0;
    FitRun run;
    std::map<std::size_t, fit::MatrixResult> finished;
    mpi::all_or_nothing(world, [&] {
        if (!root || options.output.empty()) return;
        run.journal = std::make_unique<RunJournal>(options.output, fingerprint(checkpoint, options), options.resume);
        if (options.resume) finished = run.journal->finished();
        for (const auto& [index, result] : finished) {
            if (index >= matrices.size() || result.tensor.name != matrices[index].name) {
                throw InputError("cannot --resume: " + run.journal->directory() + " holds a record of another matrix");
            }
        }
    });
    std::vector<std::size_t> done;
    for (const auto& entry : finished) done.push_back(entry.first);
    boost::mpi::broadcast(world, done, 0);

    std::vector<io::TensorInfo> todo;
    std::vector<std::size_t> todo_index;
    for (std::size_t i = 0; i < matrices.size(); ++i) {
        if (!std::binary_search(done.begin(), done.end(), i)) {
            todo.push_back(matrices[i]);
            todo_index.push_back(i);
        }
    }
    std::int64_t total_bytes = 0;
    for (const auto& m : todo) total_bytes += m.n_params() * static_cast<std::int64_t>(io::bytes_of(m.dtype));
    cli::Progress progress(root && !options.quiet, "ctscale-mpi");
    fit::FitStage stage = fit::run_fit_stage(
        checkpoint, todo, config, world,
        [&](std::size_t count, std::int64_t bytes) {
            progress.update(done.size() + count, matrices.size(), "matrices", bytes, total_bytes);
        },
        [&](std::size_t position, const fit::MatrixResult& result) {
            if (run.journal) run.journal->save(todo_index[position], result);
        });
    progress.finish();
    // The last records become durable here, and a journal that could not be written fails the run.
    mpi::all_or_nothing(world, [&] {
        if (run.journal) run.journal->flush();
    });

    run.time_read = stage.time_read;
    run.time_fit = stage.time_fit;
    if (root) {
        auto fresh = stage.matrices.begin();
        for (std::size_t i = 0; i < matrices.size(); ++i) {
            auto loaded = finished.find(i);
            run.matrices.push_back(loaded != finished.end() ? std::move(loaded->second) : std::move(*fresh++));
        }
    }
    return run;
}

}  // namespace ctscale::app
