#include "ctscale/blacs/distributed_matrix.hpp"

#include <algorithm>

#include "ctscale/blacs/scalapack.hpp"
#include "ctscale/error.hpp"
#include "ctscale/linalg/blas.hpp"

namespace ctscale::blacs {
namespace {

/// numroc: how many of `n` indices in blocks of `block` land on process `p` of `procs`.
std::int64_t local_count(std::int64_t n, std::int64_t block, int p, int procs) {
    const int in = linalg::to_blas_int(n), ib = linalg::to_blas_int(block), source = 0;
    return numroc_(&in, &ib, &p, &source, &procs);
}

/// Global index of local index `l` for block size `block`, process `p` of `procs`.
std::int64_t global_index(std::int64_t l, std::int64_t block, int p, int procs) {
    return (l / block * procs + p) * block + l % block;
}

}  // namespace

DistributedMatrix::DistributedMatrix(const ProcessGrid& grid, std::int64_t rows, std::int64_t cols,
                                     std::int64_t row_block, std::int64_t col_block)
    : grid_(&grid), rows_(rows), cols_(cols), row_block_(row_block), col_block_(col_block) {
    if (rows < 0 || cols < 0 || row_block < 1 || col_block < 1) {
        throw Error("invalid distributed matrix " + std::to_string(rows) + "x" + std::to_string(cols) + " in blocks " +
                    std::to_string(row_block) + "x" + std::to_string(col_block));
    }
    linalg::to_blas_int(rows);
    linalg::to_blas_int(cols);
    if (!grid.contains_me()) return;
    local_rows_ = local_count(rows, row_block, grid.my_row(), grid.rows());
    local_cols_ = local_count(cols, col_block, grid.my_col(), grid.cols());
    linalg::to_blas_int(ld());
    local_.assign(static_cast<std::size_t>(ld() * std::max<std::int64_t>(1, local_cols_)), 0.0);
}

DistributedMatrix DistributedMatrix::row_blocks(const ProcessGrid& column_grid, std::int64_t rows, std::int64_t cols) {
    if (column_grid.cols() != 1) throw Error("row blocks need a P x 1 grid, not " + column_grid.shape().label());
    const std::int64_t block = std::max<std::int64_t>(1, (rows + column_grid.rows() - 1) / column_grid.rows());
    return DistributedMatrix(column_grid, rows, cols, block, std::max<std::int64_t>(1, cols));
}

DistributedMatrix DistributedMatrix::transposed_row_blocks(const ProcessGrid& line_grid, std::int64_t rows,
                                                           std::int64_t cols) {
    if (line_grid.rows() != 1) throw Error("transposed row blocks need a 1 x P grid, not " + line_grid.shape().label());
    const std::int64_t block = std::max<std::int64_t>(1, (rows + line_grid.cols() - 1) / line_grid.cols());
    return DistributedMatrix(line_grid, cols, rows, std::max<std::int64_t>(1, cols), block);
}

std::int64_t DistributedMatrix::global_row(std::int64_t i) const noexcept {
    return global_index(i, row_block_, grid_->my_row(), grid_->rows());
}

std::int64_t DistributedMatrix::global_col(std::int64_t j) const noexcept {
    return global_index(j, col_block_, grid_->my_col(), grid_->cols());
}

Descriptor DistributedMatrix::descriptor() const {
    Descriptor d;
    const int m = linalg::to_blas_int(rows_), n = linalg::to_blas_int(cols_);
    const int mb = linalg::to_blas_int(row_block_), nb = linalg::to_blas_int(col_block_);
    if (!grid_->contains_me()) {
        d.values = {1, -1, m, n, mb, nb, 0, 0, 1};
        return d;
    }
    const int source = 0, context = grid_->context(), lld = linalg::to_blas_int(ld());
    int info = 0;
    descinit_(d.values.data(), &m, &n, &mb, &nb, &source, &source, &context, &lld, &info);
    CTSCALE_SCALAPACK_INFO(info, "descinit");
    return d;
}

void redistribute(const DistributedMatrix& from, DistributedMatrix& to, const ProcessGrid& all) {
    if (from.rows() != to.rows() || from.cols() != to.cols()) {
        throw Error("redistribute: shapes differ (" + std::to_string(from.rows()) + "x" + std::to_string(from.cols()) +
                    " to " + std::to_string(to.rows()) + "x" + std::to_string(to.cols()) + ")");
    }
    if (from.rows() == 0 || from.cols() == 0 || !all.contains_me()) return;
    const Descriptor a = from.descriptor(), b = to.descriptor();
    const int m = linalg::to_blas_int(from.rows()), n = linalg::to_blas_int(from.cols()), one = 1;
    const int context = all.context();
    pdgemr2d_(&m, &n, from.data(), &one, &one, a.data(), to.data(), &one, &one, b.data(), &context);
}

}  // namespace ctscale::blacs
