#include "ctscale/spectral/spectral_stage.hpp"

#include <boost/mpi/collectives.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/utility.hpp>
#include <boost/serialization/vector.hpp>
#include <optional>
#include <utility>

#include "ctscale/blacs/process_grid.hpp"
#include "ctscale/error.hpp"
#include "ctscale/mpi/collective.hpp"
#include "ctscale/spectral/matrix_spectrum.hpp"
#include "ctscale/spectral/schedule.hpp"
#include "ctscale/spectral/split_spectrum.hpp"
#include "read_matrix.hpp"

namespace boost::serialization {
template <class Archive>
void serialize(Archive& ar, ctscale::spectral::SpectralResult& r, unsigned /*version*/) {
    ar& r.pr_sv& r.spectral_norm& r.stable_rank& r.effective_rank& r.nuclear_norm& r.alpha& r.alpha_ks& r.alpha_tail;
    ar& r.alpha_weighted& r.log_spectral_norm& r.mp_edge& r.n_spikes& r.mp_softrank& r.method& r.grid;
    ar& r.singular_values;
}
}  // namespace boost::serialization

namespace ctscale::spectral {
namespace {

using Indexed = std::vector<std::pair<std::size_t, SpectralResult>>;

SpectralResult skipped() {
    SpectralResult r;
    r.method = "skipped: non-finite values";
    return r;
}

/// Collective: Wᵀ in column blocks (the row partition as read), or nothing when W holds
/// NaN/Inf anywhere. Every spectral field is the same for Wᵀ as for W.
std::optional<blacs::DistributedMatrix> read_matrix(const io::Checkpoint& checkpoint, const io::TensorInfo& tensor,
                                                    const StageGrids& grids, std::int64_t budget,
                                                    const boost::mpi::communicator& comm) {
    std::optional<blacs::DistributedMatrix> wt;
    std::int64_t nonfinite = 0;
    mpi::all_or_nothing(comm,
                        [&] { wt.emplace(read_transposed_rows(checkpoint, tensor, grids.line, budget, nonfinite)); });
    if (mpi::any_rank(comm, nonfinite > 0)) wt.reset();
    return wt;
}

}  // namespace

std::string name_of(SpectralMode mode) {
    switch (mode) {
        case SpectralMode::none: return "none";
        case SpectralMode::pr: return "pr";
        case SpectralMode::full: return "full";
    }
    return "none";
}

SpectralMode parse_spectral_mode(const std::string& text) {
    if (text == "none") return SpectralMode::none;
    if (text == "pr") return SpectralMode::pr;
    if (text == "full") return SpectralMode::full;
    throw UsageError("--spectral: expected none, pr or full, not '" + text + "'");
}

std::vector<SpectralResult> run_spectral_stage(const io::Checkpoint& checkpoint,
                                               const std::vector<io::TensorInfo>& matrices, SpectralMode mode,
                                               std::int64_t memory_per_rank, const boost::mpi::communicator& comm,
                                               const SpectralProgress& progress) {
    const bool root = comm.rank() == 0;
    if (mode == SpectralMode::none) {
        SpectralResult none;
        none.method = "none";
        return root ? std::vector<SpectralResult>(matrices.size(), none) : std::vector<SpectralResult>{};
    }
    StageGrids grids(comm);
    const SpectralSchedule schedule = plan_spectral(matrices, comm.size(), memory_per_rank);
    const std::int64_t budget = std::max<std::int64_t>(std::int64_t{1} << 20, memory_per_rank / 4);
    Indexed mine;
    std::size_t done = 0;
    auto report = [&](std::size_t count) {
        done += count;
        if (root && progress) progress(done);
    };

    // Large matrices: all ranks form each one's Gram matrix in turn; the dense solves that
    // remain go to ranks 0, 1, … of a batch of P matrices and run concurrently.
    const std::size_t ranks = static_cast<std::size_t>(comm.size());
    for (std::size_t first = 0; first < schedule.whole_grid.size(); first += ranks) {
        const std::size_t count = std::min(ranks, schedule.whole_grid.size() - first);
        std::optional<SplitSpectrum> pending;
        std::size_t pending_index = 0;
        for (std::size_t j = 0; j < count; ++j) {
            const std::size_t index = schedule.whole_grid[first + j];
            const io::TensorInfo& t = matrices[index];
            std::optional<blacs::DistributedMatrix> wt = read_matrix(checkpoint, t, grids, budget, comm);
            if (!wt) {
                if (root) mine.emplace_back(index, skipped());
                continue;
            }
            if (t.cols > t.rows) {
                // Wᵀ is tall: the Gram product wants it split by rows (P×1) instead.
                auto by_rows = blacs::DistributedMatrix::row_blocks(grids.column, t.cols, t.rows);
                blacs::redistribute(*wt, by_rows, grids.line);
                wt.emplace(std::move(by_rows));
            }
            std::optional<SplitSpectrum> split;
            mpi::all_or_nothing(comm, [&] { split.emplace(*wt, grids, mode, memory_per_rank, static_cast<int>(j)); });
            if (static_cast<int>(j) == comm.rank()) {
                pending = std::move(split);
                pending_index = index;
            }
        }
        mpi::all_or_nothing(comm, [&] {
            if (pending) mine.emplace_back(pending_index, pending->finish());
        });
        report(count);
    }

    for (const std::vector<std::size_t>& round : schedule.rounds) {
        // Each matrix of the round goes whole to its rank, then all ranks work at once.
        std::optional<blacs::DistributedMatrix> held;
        std::size_t held_index = 0;
        for (std::size_t g = 0; g < round.size(); ++g) {
            const io::TensorInfo& t = matrices[round[g]];
            std::optional<blacs::DistributedMatrix> wt = read_matrix(checkpoint, t, grids, budget, comm);
            if (!wt) {
                if (root) mine.emplace_back(round[g], skipped());
                continue;
            }
            const bool owner = static_cast<int>(g) == comm.rank();
            blacs::DistributedMatrix w(owner ? grids.single : grids.none, t.cols, t.rows, 64, 64);  // Wᵀ
            blacs::redistribute(*wt, w, grids.line);
            if (owner) {
                held.emplace(std::move(w));
                held_index = round[g];
            }
        }
        mpi::all_or_nothing(comm, [&] {
            if (!held) return;
            const io::TensorInfo& t = matrices[held_index];
            mine.emplace_back(held_index, analyze_local(held->data(), t.cols, t.rows, held->ld(), mode));
        });
        report(round.size());
    }

    std::vector<Indexed> gathered;
    boost::mpi::gather(comm, mine, gathered, 0);
    std::vector<SpectralResult> results(root ? matrices.size() : 0);
    for (Indexed& part : gathered) {
        for (auto& [index, result] : part) results[index] = std::move(result);
    }
    return results;
}

}  // namespace ctscale::spectral
