#include "ctscale/spectral/spectral_stage.hpp"

#include <mpi.h>

#include <boost/mpi/collectives.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/utility.hpp>
#include <boost/serialization/vector.hpp>
#include <algorithm>
#include <exception>
#include <new>
#include <optional>
#include <utility>

#include "ctscale/blacs/large_buffer.hpp"
#include "ctscale/blacs/line_exchange.hpp"
#include "ctscale/blacs/process_grid.hpp"
#include "ctscale/error.hpp"
#include "ctscale/mpi/collective.hpp"
#include "ctscale/mpi/node.hpp"
#include "ctscale/mpi/sleeping_barrier.hpp"
#include "ctscale/spectral/matrix_spectrum.hpp"
#include "ctscale/spectral/schedule.hpp"
#include "ctscale/spectral/split_spectrum.hpp"
#include "ctscale/spectral/core_loan.hpp"
#include "gram_solvers.hpp"
#include "read_matrix.hpp"

namespace boost::serialization {
template <class Archive>
void serialize(Archive& ar, ctscale::spectral::SpectralResult& r, unsigned /*version*/) {
    for (const auto& field : ctscale::spectral::spectral_fields) ar&(r.*field.member);
    ar& r.method& r.grid& r.singular_values;
}
}  // namespace boost::serialization

namespace ctscale::spectral {
namespace {

using Indexed = std::vector<std::pair<std::size_t, SpectralResult>>;

/// Runs long local work (dense eigensolves, whole matrices on one rank), then agrees on
/// errors like mpi::all_or_nothing — but ranks done early wait in a sleeping barrier, so
/// their cores are left to the ranks still working.
void local_then_agree(const boost::mpi::communicator& comm, const std::function<void()>& work) {
    std::exception_ptr failure;
    try {
        work();
    } catch (const Error&) {
        failure = std::current_exception();
    } catch (const std::bad_alloc&) {
        failure = std::make_exception_ptr(Error("spectral stage: out of memory (see --mem-per-rank)"));
    } catch (const std::exception& e) {  // must not leave the others waiting
        failure = std::make_exception_ptr(Error(std::string("spectral stage: ") + e.what()));
    }
    if (!mpi::sleeping_barrier(comm)) throw LibraryError("spectral stage: MPI_Ibarrier failed");
    mpi::all_or_nothing(comm, [&] {
        if (failure) std::rethrow_exception(failure);
    });
}

SpectralResult skipped() {
    SpectralResult r;
    r.method = "skipped: non-finite values";
    return r;
}

/// One run of the stage: the grids, the schedule and this rank's finished results.
class StageRun {
public:
    StageRun(const io::Checkpoint& checkpoint, const std::vector<io::TensorInfo>& matrices, SpectralMode mode,
             std::int64_t memory_per_rank, const boost::mpi::communicator& comm)
        : checkpoint_(checkpoint),
          matrices_(matrices),
          mode_(mode),
          memory_(memory_per_rank),
          comm_(comm),
          node_(mode == SpectralMode::full ? std::optional(mpi::node_ranks(comm)) : std::nullopt),
          budget_(std::clamp<std::int64_t>(memory_per_rank / 4, std::int64_t{1} << 20, std::int64_t{8} << 20)) {}

    /// Large matrices (count ≤ P): all ranks form each one's Gram matrix in turn; the
    /// dense solves that remain go to ranks 0, 1, … and run concurrently.
    void large_batch(const std::size_t* indices, std::size_t count) {
        grids();  // every rank, before any rank's work could fail
        std::optional<SplitSpectrum> pending;
        std::size_t pending_index = 0;
        for (std::size_t j = 0; j < count; ++j) {
            const io::TensorInfo& t = matrices_[indices[j]];
            const int solver = static_cast<int>(j);
            std::optional<SplitSpectrum> split;
            if (streams(t)) {
                StreamedGram gram;
                agree([&] { gram = stream_gram(checkpoint_, t, grids().line, budget_, solver); });
                if (skip_nonfinite(indices[j], gram.nonfinite)) continue;
                split.emplace(std::move(gram.g), t.cols, t.rows, grids(), mode_, solver);
            } else {
                std::optional<blacs::DistributedMatrix> wt = read(indices[j]);
                if (!wt) continue;
                if (t.cols > t.rows) {
                    // Wᵀ is tall: the Gram product wants it split by rows (P×1) instead.
                    auto by_rows = blacs::DistributedMatrix::row_blocks(grids().column, t.cols, t.rows);
                    blacs::columns_to_rows(*wt, by_rows);
                    wt.emplace(std::move(by_rows));
                }
                agree([&] { split.emplace(*wt, grids(), mode_, memory_, solver); });
            }
            if (solver == comm_.rank()) {
                pending = std::move(split);
                pending_index = indices[j];
            }
        }
        std::optional<CoreLoan> loan;
        if (node_) loan.emplace(*node_, pending.has_value());
        local_then_agree(comm_, [&] {
            if (pending) mine_.emplace_back(pending_index, pending->finish(loan ? loan->threads() : 1));
        });
    }

    /// Moderate matrices: round[g] is read whole by rank g on its own (the reads are not
    /// collective) and analysed there, all ranks at once; a matrix with NaN/Inf is recorded
    /// as skipped by its rank. One agreement per round, not per matrix.
    void round(const std::vector<std::size_t>& round) {
        const auto g = static_cast<std::size_t>(comm_.rank());
        const bool held = g < round.size();
        std::optional<CoreLoan> loan;
        if (node_) loan.emplace(*node_, held);
        local_then_agree(comm_, [&] {
            if (!held) return;
            const io::TensorInfo& t = matrices_[round[g]];
            std::int64_t nonfinite = 0;
            read_whole(checkpoint_, t, budget_, wt_, raw_, nonfinite);
            if (nonfinite > 0) {
                mine_.emplace_back(round[g], skipped());
                return;
            }
            mine_.emplace_back(
                round[g], analyze_local(wt_.data(), t.cols, t.rows, t.cols, mode_, &gram_, loan ? loan->threads() : 1));
        });
    }

    /// Collective: moves the results finished since the last call to rank 0, which hands
    /// each to `finished` (so a journal keeps them as they come, not only at the end). An
    /// error there (a journal that cannot be written) is agreed, like every other.
    void collect(const SpectralRecorder& finished) {
        std::vector<Indexed> gathered;
        boost::mpi::gather(comm_, mine_, gathered, 0);
        mine_.clear();
        agree([&] {
            if (comm_.rank() != 0) return;
            results_.resize(matrices_.size());
            for (Indexed& part : gathered) {
                for (auto& [index, result] : part) {
                    if (finished) finished(index, result);
                    results_[index] = std::move(result);
                }
            }
        });
    }

    /// On rank 0, every matrix's result in the order of the matrices (after collect).
    std::vector<SpectralResult> results() { return std::move(results_); }

private:
    /// Collective: Wᵀ in column blocks (the row partition as read), or nothing when W
    /// holds NaN/Inf anywhere (rank 0 records it as skipped). Every spectral field is
    /// the same for Wᵀ as for W.
    std::optional<blacs::DistributedMatrix> read(std::size_t index) {
        std::optional<blacs::DistributedMatrix> wt;
        std::int64_t nonfinite = 0;
        agree(
            [&] { wt.emplace(read_transposed_rows(checkpoint_, matrices_[index], grids().line, budget_, nonfinite)); });
        if (skip_nonfinite(index, nonfinite)) wt.reset();
        return wt;
    }

    /// Whether a large matrix's G is summed as it is read (read_matrix.hpp): only where
    /// the split path would gather G for a dense solve anyway (split_spectrum.hpp).
    bool streams(const io::TensorInfo& t) const {
        return streams_gram(t, budget_) && gathers_gram(mode_, t.cols, memory_);
    }

    /// Collective: whether any rank found NaN/Inf in the matrix (rank 0 records it then).
    bool skip_nonfinite(std::size_t index, std::int64_t nonfinite) {
        if (!mpi::any_rank(comm_, nonfinite > 0)) return false;
        if (comm_.rank() == 0) mine_.emplace_back(index, skipped());
        return true;
    }

    /// mpi::all_or_nothing, with running out of memory made an Error like any other.
    void agree(const std::function<void()>& work) {
        mpi::all_or_nothing(comm_, [&] {
            try {
                work();
            } catch (const std::bad_alloc&) {
                throw Error("spectral stage: out of memory (see --mem-per-rank)");
            }
        });
    }

    const io::Checkpoint& checkpoint_;
    const std::vector<io::TensorInfo>& matrices_;
    SpectralMode mode_;
    std::int64_t memory_;
    const boost::mpi::communicator& comm_;
    /// Collective, on first use: the BLACS grids of the large matrices (three grids and
    /// their communicators cost collective rounds that a run of moderate matrices skips).
    const StageGrids& grids() {
        if (!grids_) grids_.emplace(comm_);
        return *grids_;
    }

    std::optional<StageGrids> grids_;
    /// Full mode: the ranks of this node, which lend idle cores to solvers (core_loan.hpp);
    /// pr mode solves on one BLAS thread per rank and lends nothing.
    std::optional<boost::mpi::communicator> node_;
    /// Bytes per read step: at most 8 MiB, so the staging buffer is touched once and then
    /// reused (a whole 50257 × 768 embedding staged at once was 154 MB of first touches:
    /// BENCHMARKS.md, "Design measurements").
    std::int64_t budget_;
    Indexed mine_;                         ///< this rank's results since the last collect
    std::vector<SpectralResult> results_;  ///< rank 0: all collected so far
    // Reused from matrix to matrix: Wᵀ of this rank's moderate matrix, read staging, G.
    blacs::LargeVector<double> wt_, gram_;
    blacs::LargeVector<unsigned char> raw_;
};

}  // namespace

std::vector<SpectralResult> run_spectral_stage(const io::Checkpoint& checkpoint,
                                               const std::vector<io::TensorInfo>& matrices, SpectralMode mode,
                                               std::int64_t memory_per_rank, const boost::mpi::communicator& comm,
                                               const SpectralProgress& progress, const SpectralRecorder& finished) {
    const bool root = comm.rank() == 0;
    if (mode == SpectralMode::none) {
        SpectralResult none;
        none.method = "none";
        return root ? std::vector<SpectralResult>(matrices.size(), none) : std::vector<SpectralResult>{};
    }
    StageRun run(checkpoint, matrices, mode, memory_per_rank, comm);
    const SpectralSchedule schedule = plan_spectral(matrices, comm.size(), memory_per_rank);
    const auto cost = [&](std::size_t m) { return spectral_cost(matrices[m].rows, matrices[m].cols); };
    double work_total = 0, work_done = 0;
    for (std::size_t m = 0; m < matrices.size(); ++m) work_total += cost(m);
    std::size_t done = 0;
    auto report = [&](const std::size_t* batch, std::size_t count) {
        run.collect(finished);
        done += count;
        for (std::size_t i = 0; i < count; ++i) work_done += cost(batch[i]);
        if (root && progress) progress(done, work_done, work_total);
    };
    const std::size_t ranks = static_cast<std::size_t>(comm.size());
    for (std::size_t first = 0; first < schedule.whole_grid.size(); first += ranks) {
        const std::size_t count = std::min(ranks, schedule.whole_grid.size() - first);
        run.large_batch(schedule.whole_grid.data() + first, count);
        report(schedule.whole_grid.data() + first, count);
    }
    for (const std::vector<std::size_t>& round : schedule.rounds) {
        run.round(round);
        report(round.data(), round.size());
    }
    return run.results();
}

}  // namespace ctscale::spectral
