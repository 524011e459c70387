#include "ctscale/fit/fit_stage.hpp"

#include <mpi.h>

#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <type_traits>

#include "ctscale/error.hpp"
#include "ctscale/fit/matrix_record.hpp"
#include "ctscale/io/partition.hpp"
#include "ctscale/mpi/collective.hpp"
#include "ctscale/util/checked.hpp"
#include "ctscale/util/scratch_array.hpp"

namespace ctscale::fit {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

/// Every rank's part, concatenated in rank order on the root (nothing elsewhere).
template <typename Value>
struct Gathered {
    std::unique_ptr<Value[]> all;  // not zeroed: MPI_Gatherv writes every element
    std::vector<std::size_t> offsets;

    std::span<const Value> part(int rank) const {
        return {all.get() + offsets[rank], offsets[rank + 1] - offsets[rank]};
    }
};

/// Gathers every rank's `local` on `root` into one buffer, copied once; ranks that arrive
/// early wait sleeping (mpi::wait_sleeping).
template <typename Value>
Gathered<Value> gather_to(std::span<const Value> local, int root, const boost::mpi::communicator& comm) {
    const MPI_Datatype type = std::is_same_v<Value, double> ? MPI_DOUBLE : MPI_CHAR;
    int size = util::checked_cast<int>(local.size(), "gathered fit record");
    std::vector<int> sizes(comm.size()), displacements(comm.size(), 0);
    MPI_Request request;
    CTSCALE_MPI(MPI_Igather(&size, 1, MPI_INT, sizes.data(), 1, MPI_INT, root, comm, &request));
    mpi::wait_sleeping(request, "MPI_Igather");
    Gathered<Value> gathered;
    if (comm.rank() == root) {
        gathered.offsets.assign(comm.size() + 1, 0);
        for (int r = 0; r < comm.size(); ++r) gathered.offsets[r + 1] = gathered.offsets[r] + sizes[r];
        for (int r = 0; r < comm.size(); ++r) {
            displacements[r] = util::checked_cast<int>(gathered.offsets[r], "gathered fit records");
        }
        gathered.all = std::make_unique_for_overwrite<Value[]>(gathered.offsets.back());
    }
    CTSCALE_MPI(MPI_Igatherv(local.data(), size, type, gathered.all.get(), sizes.data(), displacements.data(), type,
                             root, comm, &request));
    mpi::wait_sleeping(request, "MPI_Igatherv");
    return gathered;
}

std::string nonfinite_message(const io::Checkpoint& checkpoint, const MatrixResult& result) {
    return checkpoint.path() + ": dataset /weights/" + result.tensor.name + ": " +
           std::to_string(result.nonfinite.count) + " non-finite value(s) (NaN/Inf), first at row " +
           std::to_string(result.nonfinite.first_row) + ", column " + std::to_string(result.nonfinite.first_col) +
           " (use --on-nonfinite skip to leave such matrices out)";
}

/// Matrices are assembled in rounds of P: the i-th matrix of a round on rank i, all at
/// once, so the serial per-matrix work (co-moment merges, covariance eigenvalues, medians)
/// is spread over the ranks instead of queueing on rank 0; finished results travel to
/// rank 0 in the exact binary form of the --resume records. Errors (non-finite weights)
/// are agreed once per round, at most P matrices after the one that has them.
class AssemblyRounds {
public:
    AssemblyRounds(const io::Checkpoint& checkpoint, const std::vector<io::TensorInfo>& matrices,
                   const FitConfig& config, BasisCache& bases, const boost::mpi::communicator& comm,
                   const MatrixDone& on_matrix, FitStage& stage)
        : checkpoint_(checkpoint),
          matrices_(matrices),
          config_(config),
          bases_(bases),
          comm_(comm),
          on_matrix_(on_matrix),
          stage_(stage) {}

    /// Collective: hands matrix m's packed LocalFit to its assembler; ends the round when full.
    void add(std::size_t m, const std::vector<double>& packed) {
        const int owner = static_cast<int>(m % static_cast<std::size_t>(comm_.size()));
        Gathered<double> gathered = gather_to(std::span(packed), owner, comm_);
        if (comm_.rank() == owner) {
            owned_ = m;
            owned_packed_ = std::move(gathered);
        }
        if (owner == comm_.size() - 1 || m + 1 == matrices_.size()) finish_round(m - owner, m + 1);
    }

private:
    void finish_round(std::size_t first, std::size_t end) {
        std::optional<MatrixResult> mine;
        mpi::all_or_nothing(comm_, [&] {
            if (!owned_) return;
            const io::TensorInfo& tensor = matrices_[*owned_];
            std::vector<std::span<const double>> by_rank;
            for (int r = 0; r < comm_.size(); ++r) by_rank.push_back(owned_packed_.part(r));
            MatrixResult result =
                assemble(tensor, config_.settings, bases_.plan(tensor.cols), by_rank, config_.keep_amplitudes);
            if (result.nonfinite.count > 0) {
                if (config_.fail_on_nonfinite) throw InputError(nonfinite_message(checkpoint_, result));
                mark_skipped(result, "skipped: " + std::to_string(result.nonfinite.count) + " non-finite values");
            }
            mine = std::move(result);
        });
        owned_.reset();
        owned_packed_ = {};
        const std::string record = mine && comm_.rank() != 0 ? encode_record(*mine) : std::string();
        const Gathered<char> records = gather_to(std::span(record), 0, comm_);
        mpi::all_or_nothing(comm_, [&] {
            if (comm_.rank() != 0) return;
            for (std::size_t m = first; m < end; ++m) {
                const int position = static_cast<int>(m - first);
                const std::span<const char> bytes = records.part(position);
                MatrixResult result = position == 0 ? std::move(*mine)
                                                    : decode_record(std::string_view(bytes.data(), bytes.size()),
                                                                    "rank " + std::to_string(position));
                if (on_matrix_) on_matrix_(m, result);
                stage_.matrices.push_back(std::move(result));
            }
        });
    }

    const io::Checkpoint& checkpoint_;
    const std::vector<io::TensorInfo>& matrices_;
    const FitConfig& config_;
    BasisCache& bases_;
    const boost::mpi::communicator& comm_;
    const MatrixDone& on_matrix_;
    FitStage& stage_;
    std::optional<std::size_t> owned_;
    Gathered<double> owned_packed_;
};

}  // namespace

std::int64_t fit_bytes_per_row(const io::TensorInfo& tensor, const WidthPlan& plan) {
    std::int64_t amplitudes = 0;
    for (const auto& entry : plan.entries) amplitudes = std::max(amplitudes, entry.k);
    const std::int64_t banded = plan.widest_banded_k > 0 ? tensor.cols + plan.widest_banded_k : 0;
    return tensor.cols * static_cast<std::int64_t>(sizeof(double) + io::bytes_of(tensor.dtype)) +
           8 * (plan.total_columns + amplitudes + banded);
}

/// Sub-blocks of about 8 MiB: the buffers are reused from block to block and matrix to
/// matrix, so pages are touched once (a first touch costs more here than the arithmetic);
/// smaller blocks touch fewer pages at all, though much smaller ones are slower again
/// (BENCHMARKS.md, "Design measurements"). Never more than half of --mem-per-rank; the
/// other half covers per-row records and bases.
std::int64_t fit_block_budget(std::int64_t memory_per_rank) {
    constexpr std::int64_t preferred = std::int64_t{8} << 20;
    return std::min(preferred, memory_per_rank / 2);
}

FitStage run_fit_stage(const io::Checkpoint& checkpoint, const std::vector<io::TensorInfo>& matrices,
                       const FitConfig& config, const boost::mpi::communicator& comm, const FitProgress& progress,
                       const MatrixDone& on_matrix) {
    FitStage stage;
    BasisCache bases(config.settings, config.width, config.null_seed);
    std::vector<std::int64_t> widths;
    for (const auto& m : matrices) widths.push_back(m.cols);
    bases.build_all(widths, comm);
    AssemblyRounds rounds(checkpoint, matrices, config, bases, comm, on_matrix, stage);
    util::ScratchArray<unsigned char> raw;
    util::ScratchArray<double> values;
    BlockScratch scratch;
    std::int64_t bytes_read = 0;
    for (std::size_t m = 0; m < matrices.size(); ++m) {
        const io::TensorInfo& tensor = matrices[m];
        auto start = Clock::now();
        const WidthPlan& plan = bases.plan(tensor.cols);
        const io::RowPartition partition{tensor.rows, comm.size(), comm.rank()};
        const io::SubBlocks blocks =
            io::SubBlocks::plan(partition, fit_block_budget(config.memory_per_rank), fit_bytes_per_row(tensor, plan));
        LocalFit local(plan, partition.first(), config.keep_amplitudes, scratch);
        for (std::int64_t step = 0; step < blocks.steps; ++step) {
            const std::int64_t count = blocks.count(step, partition.count());
            const std::int64_t first = partition.first() + blocks.offset(step);
            const auto entries = static_cast<std::size_t>(count * tensor.cols);
            unsigned char* stored = raw.get(entries * io::bytes_of(tensor.dtype));
            double* rows = values.get(entries);
            const auto read_start = Clock::now();
            checkpoint.read_raw_rows(tensor, first, count, stored);
            stage.time_read += seconds_since(read_start);
            io::to_double(tensor.dtype, stored, rows, entries);
            local.add_block(rows, count);
        }
        rounds.add(m, local.pack());
        bytes_read += tensor.n_params() * static_cast<std::int64_t>(io::bytes_of(tensor.dtype));
        stage.time_fit += seconds_since(start);
        if (progress && comm.rank() == 0) progress(m + 1, bytes_read);
    }
    stage.time_fit -= stage.time_read;
    return stage;
}

}  // namespace ctscale::fit
