#pragma once
/// A dense matrix in ScaLAPACK's 2-D block-cyclic layout: this process's local blocks in
/// column-major order, and the descriptor built from them on demand, so descriptors never
/// travel through algorithm code. The grid must outlive the matrix.
#include <array>
#include <cstdint>
#include <vector>

#include "ctscale/blacs/large_buffer.hpp"
#include "ctscale/blacs/process_grid.hpp"

namespace ctscale::blacs {

/// A ScaLAPACK array descriptor (DTYPE, CTXT, M, N, MB, NB, RSRC, CSRC, LLD).
struct Descriptor {
    std::array<int, 9> values{};
    const int* data() const noexcept { return values.data(); }
};

class DistributedMatrix {
public:
    /// rows × cols in blocks of row_block × col_block (both ≥ 1), first block on process
    /// (0, 0). A rank outside `grid` holds nothing. Sizes are narrowed to BLACS ints.
    DistributedMatrix(const ProcessGrid& grid, std::int64_t rows, std::int64_t cols, std::int64_t row_block,
                      std::int64_t col_block);

    /// The row partition of docs/computation.md (io::RowPartition): on a P×1 `column_grid`, rank r
    /// holds rows [r·b, min((r+1)·b, rows)), b = ⌈rows/P⌉, all columns in one block.
    static DistributedMatrix row_blocks(const ProcessGrid& column_grid, std::int64_t rows, std::int64_t cols);

    /// The same partition seen as Wᵀ (cols × rows) on a 1×P `line_grid`: rank r holds
    /// columns [r·b, …) of Wᵀ, whose column-major local block is exactly its rows of W
    /// stored row-major, as HDF5 reads them — no transposition needed.
    static DistributedMatrix transposed_row_blocks(const ProcessGrid& line_grid, std::int64_t rows, std::int64_t cols);

    const ProcessGrid& grid() const noexcept { return *grid_; }
    std::int64_t rows() const noexcept { return rows_; }
    std::int64_t cols() const noexcept { return cols_; }
    std::int64_t row_block() const noexcept { return row_block_; }
    std::int64_t col_block() const noexcept { return col_block_; }
    std::int64_t local_rows() const noexcept { return local_rows_; }
    std::int64_t local_cols() const noexcept { return local_cols_; }
    /// Leading dimension of the local array: max(1, local_rows) (descinit rejects 0).
    std::int64_t ld() const noexcept { return local_rows_ > 0 ? local_rows_ : 1; }

    double* data() noexcept { return local_.data(); }
    const double* data() const noexcept { return local_.data(); }
    double& local(std::int64_t i, std::int64_t j) noexcept { return local_[i + j * ld()]; }
    double local(std::int64_t i, std::int64_t j) const noexcept { return local_[i + j * ld()]; }
    /// Global index of local row i / local column j.
    std::int64_t global_row(std::int64_t i) const noexcept;
    std::int64_t global_col(std::int64_t j) const noexcept;

    /// The descriptor; outside the grid only CTXT = −1 and the global sizes are valid,
    /// which is what PDGEMR2D expects there.
    Descriptor descriptor() const;

private:
    const ProcessGrid* grid_;
    std::int64_t rows_, cols_, row_block_, col_block_;
    std::int64_t local_rows_ = 0, local_cols_ = 0;
    LargeVector<double> local_;
};

/// Copies `from` into `to` (same global size; any grids and block sizes) with PDGEMR2D.
/// Collective over every process of `all`, a grid whose processes include those of both
/// matrices' grids (docs/computation.md: ranks outside a grid pass CTXT = −1).
void redistribute(const DistributedMatrix& from, DistributedMatrix& to, const ProcessGrid& all);

}  // namespace ctscale::blacs
