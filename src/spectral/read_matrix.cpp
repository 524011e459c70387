#include "read_matrix.hpp"

#include <mpi.h>

#include <cmath>

#include "ctscale/blacs/large_buffer.hpp"
#include "ctscale/io/partition.hpp"
#include "ctscale/linalg/blas.hpp"
#include "ctscale/linalg/sums.hpp"
#include "ctscale/mpi/collective.hpp"
#include "lapack.hpp"

namespace ctscale::spectral {

blacs::DistributedMatrix read_transposed_rows(const io::Checkpoint& checkpoint, const io::TensorInfo& tensor,
                                              const blacs::ProcessGrid& line_grid, std::int64_t budget_bytes,
                                              std::int64_t& nonfinite) {
    const io::RowPartition partition{tensor.rows, line_grid.cols(), line_grid.my_col()};
    auto a = blacs::DistributedMatrix::transposed_row_blocks(line_grid, tensor.rows, tensor.cols);
    const std::int64_t width = tensor.cols;
    const std::int64_t stored = static_cast<std::int64_t>(io::bytes_of(tensor.dtype));
    const io::SubBlocks blocks = io::SubBlocks::plan(partition, budget_bytes, width * stored);
    blacs::LargeVector<unsigned char> raw;
    nonfinite = 0;
    for (std::int64_t step = 0; step < blocks.steps; ++step) {
        const std::int64_t count = blocks.count(step, partition.count());
        const std::int64_t offset = blocks.offset(step);
        raw.resize(static_cast<std::size_t>(count * width * stored));
        checkpoint.read_raw_rows(tensor, partition.first() + offset, count, raw.data());
        double* values = a.data() + offset * width;  // local column `offset` of Wᵀ = row `offset` of W
        io::to_double(tensor.dtype, raw.data(), values, static_cast<std::size_t>(count * width));
        for (std::int64_t i = 0; i < count * width; ++i) nonfinite += !std::isfinite(values[i]);
    }
    return a;
}

void read_on_one_rank(const io::Checkpoint& checkpoint, const io::TensorInfo& tensor, int owner, int rank,
                      std::int64_t budget_bytes, blacs::LargeVector<double>& wt, blacs::LargeVector<unsigned char>& raw,
                      std::int64_t& nonfinite) {
    // The owner's plan, which every rank follows so that the collective reads match.
    const io::RowPartition all{tensor.rows, 1, 0};
    const std::int64_t width = tensor.cols;
    const std::int64_t stored = static_cast<std::int64_t>(io::bytes_of(tensor.dtype));
    const io::SubBlocks blocks = io::SubBlocks::plan(all, budget_bytes, width * stored);
    const bool mine = rank == owner;
    if (mine) wt.resize(static_cast<std::size_t>(tensor.rows * width));
    nonfinite = 0;
    for (std::int64_t step = 0; step < blocks.steps; ++step) {
        const std::int64_t count = mine ? blocks.count(step, tensor.rows) : 0;
        raw.resize(static_cast<std::size_t>(count * width * stored));
        checkpoint.read_raw_rows(tensor, blocks.offset(step), count, raw.data());
        if (count == 0) continue;
        double* values = wt.data() + blocks.offset(step) * width;
        io::to_double(tensor.dtype, raw.data(), values, static_cast<std::size_t>(count * width));
        for (std::int64_t i = 0; i < count * width; ++i) nonfinite += !std::isfinite(values[i]);
    }
}

bool streams_gram(const io::TensorInfo& tensor, std::int64_t budget_bytes) {
    const auto stored = static_cast<std::int64_t>(io::bytes_of(tensor.dtype));
    return tensor.cols > 0 && tensor.rows >= tensor.cols && tensor.cols * tensor.cols * stored <= budget_bytes;
}

StreamedGram stream_gram(const io::Checkpoint& checkpoint, const io::TensorInfo& tensor,
                         const blacs::ProcessGrid& line_grid, std::int64_t budget_bytes, int solver) {
    const io::RowPartition partition{tensor.rows, line_grid.cols(), line_grid.my_col()};
    const std::int64_t width = tensor.cols;
    const std::int64_t stored = static_cast<std::int64_t>(io::bytes_of(tensor.dtype));
    const io::SubBlocks blocks = io::SubBlocks::plan(partition, budget_bytes, width * stored);
    blacs::LargeVector<unsigned char> raw;
    blacs::LargeVector<double> block, share(static_cast<std::size_t>(width * width));
    StreamedGram result;
    double frobenius_sq = 0.0;
    const int order = linalg::to_blas_int(width);
    const double one = 1.0;
    for (std::int64_t step = 0; step < blocks.steps; ++step) {
        const std::int64_t count = blocks.count(step, partition.count());
        raw.resize(static_cast<std::size_t>(count * width * stored));
        checkpoint.read_raw_rows(tensor, partition.first() + blocks.offset(step), count, raw.data());
        if (count == 0) continue;
        // The rows as stored are Bᵀ column-major (width × count): G += Bᵀ·B.
        block.resize(static_cast<std::size_t>(count * width));
        io::to_double(tensor.dtype, raw.data(), block.data(), block.size());
        for (const double x : block) result.nonfinite += !std::isfinite(x);
        frobenius_sq += linalg::sum_of_squares(static_cast<std::int64_t>(block.size()), block.data());
        const int depth = linalg::to_blas_int(count);
        dsyrk_("L", "N", &order, &depth, &one, block.data(), &order, &one, share.data(), &order, 1, 1);
    }
    const MPI_Comm comm = line_grid.communicator();
    const bool mine = line_grid.my_col() == solver;
    if (mine) result.g.resize(share.size());
    CTSCALE_MPI(MPI_Reduce(share.data(), mine ? result.g.data() : nullptr, linalg::to_blas_int(width * width),
                           MPI_DOUBLE, MPI_SUM, solver, comm));
    CTSCALE_MPI(MPI_Reduce(&frobenius_sq, &result.frobenius_sq, 1, MPI_DOUBLE, MPI_SUM, solver, comm));
    return result;
}

}  // namespace ctscale::spectral
