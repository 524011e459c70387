#include "read_matrix.hpp"

#include <mpi.h>

#include <cmath>

#include "ctscale/blacs/large_buffer.hpp"
#include "ctscale/io/partition.hpp"
#include "ctscale/linalg/blas.hpp"
#include "ctscale/mpi/collective.hpp"

namespace ctscale::spectral {
namespace {

/// One read step as doubles; returns how many are NaN/Inf.
std::int64_t to_double_counting_nonfinite(io::StoredType type, const unsigned char* raw, double* out,
                                          std::int64_t count) {
    io::to_double(type, raw, out, static_cast<std::size_t>(count));
    std::int64_t nonfinite = 0;
    for (std::int64_t i = 0; i < count; ++i) nonfinite += !std::isfinite(out[i]);
    return nonfinite;
}

}  // namespace

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
        nonfinite += to_double_counting_nonfinite(tensor.dtype, raw.data(), values, count * width);
    }
    return a;
}

void read_whole(const io::Checkpoint& checkpoint, const io::TensorInfo& tensor, std::int64_t budget_bytes,
                blacs::LargeVector<double>& wt, blacs::LargeVector<unsigned char>& raw, std::int64_t& nonfinite) {
    const io::RowPartition all{tensor.rows, 1, 0};
    const std::int64_t width = tensor.cols;
    const std::int64_t stored = static_cast<std::int64_t>(io::bytes_of(tensor.dtype));
    const io::SubBlocks blocks = io::SubBlocks::plan(all, budget_bytes, width * stored);
    wt.resize(static_cast<std::size_t>(tensor.rows * width));
    nonfinite = 0;
    for (std::int64_t step = 0; step < blocks.steps; ++step) {
        const std::int64_t count = blocks.count(step, tensor.rows);
        raw.resize(static_cast<std::size_t>(count * width * stored));
        checkpoint.read_raw_rows(tensor, blocks.offset(step), count, raw.data());
        double* values = wt.data() + blocks.offset(step) * width;
        nonfinite += to_double_counting_nonfinite(tensor.dtype, raw.data(), values, count * width);
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
    for (std::int64_t step = 0; step < blocks.steps; ++step) {
        const std::int64_t count = blocks.count(step, partition.count());
        raw.resize(static_cast<std::size_t>(count * width * stored));
        checkpoint.read_raw_rows(tensor, partition.first() + blocks.offset(step), count, raw.data());
        if (count == 0) continue;
        // The rows as stored are Bᵀ column-major (width × count): G += Bᵀ·B.
        block.resize(static_cast<std::size_t>(count * width));
        result.nonfinite += to_double_counting_nonfinite(tensor.dtype, raw.data(), block.data(), count * width);
        linalg::syrk_lower('N', width, count, 1.0, block.data(), width, 1.0, share.data(), width);
    }
    const MPI_Comm comm = line_grid.communicator();
    const bool mine = line_grid.my_col() == solver;
    if (mine) result.g.resize(share.size());
    CTSCALE_MPI(MPI_Reduce(share.data(), mine ? result.g.data() : nullptr, linalg::to_blas_int(width * width),
                           MPI_DOUBLE, MPI_SUM, solver, comm));
    return result;
}

}  // namespace ctscale::spectral
