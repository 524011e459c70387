#include "ctscale/blacs/gram.hpp"

#include <mpi.h>

#include <algorithm>
#include <vector>

#include "ctscale/error.hpp"
#include "ctscale/linalg/blas.hpp"
#include "ctscale/linalg/sums.hpp"
#include "ctscale/mpi/collective.hpp"

namespace ctscale::blacs {

DistributedMatrix gram_layout(const ProcessGrid& line, std::int64_t order) {
    if (line.rows() != 1) throw Error("gram_layout: needs a 1 x P grid, not " + line.shape().label());
    // Blocks of up to 64 columns, smaller when that would leave ranks without any.
    const std::int64_t spread = (order + 4 * line.cols() - 1) / (4 * line.cols());
    const std::int64_t nb = std::clamp<std::int64_t>(spread, 1, 64);
    return DistributedMatrix(line, order, order, std::max<std::int64_t>(1, order), nb);
}

namespace {

/// Whether W is split by rows (G = WᵀW) rather than by columns (G = WWᵀ); throws unless
/// it is split along its longer side.
bool split_by_rows(const DistributedMatrix& w) {
    // A single process (1×1) counts as split by rows unless W is wide.
    const bool by_rows = w.grid().cols() == 1 && w.rows() >= w.cols();
    const bool by_columns = !by_rows && w.grid().rows() == 1 && w.rows() <= w.cols();
    if (!(by_columns || by_rows)) throw Error("gram: W must be split along its longer side");
    return by_rows;
}

/// For each panel of `panel` columns of G, from the left: this rank's term of rows s.. of
/// columns [s, s + width) — (k − s) × width, column-major — handed to sum(s, width, partial).
template <class Sum>
void for_each_partial_panel(const DistributedMatrix& w, std::int64_t panel, Sum&& sum) {
    const std::int64_t k = std::min(w.rows(), w.cols()), ld = w.ld();
    const bool tall = split_by_rows(w);
    const std::int64_t depth = tall ? w.local_rows() : w.local_cols();  // this rank's share of the inner sum
    LargeVector<double> partial;
    for (std::int64_t s = 0; s < k; s += panel) {
        const std::int64_t width = std::min(panel, k - s), rows = k - s;
        partial.assign(static_cast<std::size_t>(rows * width), 0.0);
        if (depth > 0) {
            // Rows s.. of this rank's term B_r·B_rᵀ for the panel's columns.
            if (tall) {
                linalg::gemm('T', 'N', rows, width, depth, 1.0, w.data() + s * ld, ld, w.data() + s * ld, ld, 0.0,
                             partial.data(), rows);
            } else {
                linalg::gemm('N', 'T', rows, width, depth, 1.0, w.data() + s, ld, w.data() + s, ld, 0.0, partial.data(),
                             rows);
            }
        }
        sum(s, width, partial);
    }
}

}  // namespace

void gram_lower(const DistributedMatrix& w, DistributedMatrix& g) {
    const ProcessGrid& line = g.grid();
    const std::int64_t k = std::min(w.rows(), w.cols());
    split_by_rows(w);
    if (g.rows() != k || g.cols() != k || line.rows() != 1) {
        throw Error("gram_lower: G must be laid out by gram_layout");
    }
    if (!line.contains_me() || k == 0) return;
    const int ranks = line.cols(), me = line.my_col();
    const std::int64_t nb = g.col_block(), panel = nb * ranks;
    LargeVector<double> summed;
    std::vector<int> counts(static_cast<std::size_t>(ranks));
    for_each_partial_panel(w, panel, [&](std::int64_t s, std::int64_t width, LargeVector<double>& partial) {
        const std::int64_t rows = k - s;
        for (int t = 0; t < ranks; ++t) {
            const std::int64_t columns = std::clamp<std::int64_t>(width - t * nb, 0, nb);
            counts[t] = linalg::to_blas_int(rows * columns);
        }
        summed.resize(static_cast<std::size_t>(std::max(counts[me], 1)));
        CTSCALE_MPI(
            MPI_Reduce_scatter(partial.data(), summed.data(), counts.data(), MPI_DOUBLE, MPI_SUM, line.communicator()));
        const std::int64_t first_local = s / panel * nb;  // this panel's block is the (s/panel)-th local one
        for (std::int64_t j = 0; j < counts[me] / rows; ++j) {
            std::copy_n(summed.data() + j * rows, rows, &g.local(s, first_local + j));
        }
    });
}

LargeVector<double> gram_lower_on(const DistributedMatrix& w, const ProcessGrid& line, int root) {
    if (line.rows() != 1) throw Error("gram_lower_on: needs a 1 x P grid, not " + line.shape().label());
    split_by_rows(w);
    if (!line.contains_me()) return {};
    const std::int64_t k = std::min(w.rows(), w.cols());
    const MPI_Comm comm = line.communicator();
    const bool mine = line.my_col() == root;
    // The root allocates first and says whether it could: the others must not wait forever.
    LargeVector<double> g;
    int allocated = 1;
    if (mine) {
        try {
            g.resize(static_cast<std::size_t>(k * k));
        } catch (const std::bad_alloc&) {
            allocated = 0;
        }
    }
    CTSCALE_MPI(MPI_Bcast(&allocated, 1, MPI_INT, root, comm));
    if (!allocated) throw LibraryError("out of memory for a Gram matrix of order " + std::to_string(k));
    // Panels of 256 columns: messages of a few MB, and little memory beside G.
    constexpr std::int64_t panel = 256;
    LargeVector<double> summed;
    for_each_partial_panel(w, panel, [&](std::int64_t s, std::int64_t width, LargeVector<double>& partial) {
        const std::int64_t rows = k - s;
        if (mine) summed.resize(partial.size());
        CTSCALE_MPI(MPI_Reduce(partial.data(), mine ? summed.data() : nullptr, linalg::to_blas_int(rows * width),
                               MPI_DOUBLE, MPI_SUM, root, comm));
        if (!mine) return;
        for (std::int64_t j = 0; j < width; ++j) std::copy_n(summed.data() + j * rows, rows, &g[(s + j) * k + s]);
    });
    return g;
}

double gram_sum_of_squares(const DistributedMatrix& g) {
    if (!g.grid().contains_me()) return 0.0;
    double local = 0.0;
    for (std::int64_t j = 0; j < g.local_cols(); ++j) {
        const std::int64_t j0 = g.global_col(j) / g.col_block() * g.col_block();
        const std::int64_t j1 = std::min(g.cols(), j0 + g.col_block());
        // The diagonal block is stored in full; below it each entry stands for two.
        const double* column = g.data() + j * g.ld();
        local += linalg::sum_of_squares(j1 - j0, column + j0);
        local += 2.0 * linalg::sum_of_squares(g.rows() - j1, column + j1);
    }
    double total = 0.0;
    CTSCALE_MPI(MPI_Allreduce(&local, &total, 1, MPI_DOUBLE, MPI_SUM, g.grid().communicator()));
    return total;
}

void gram_multiply(const DistributedMatrix& g, const double* v, std::int64_t b, double* y) {
    if (!g.grid().contains_me()) return;
    const std::int64_t k = g.rows(), nb = g.col_block();
    std::fill(y, y + k * b, 0.0);
    // Rows in chunks that stay in cache between the two products that read them.
    constexpr std::int64_t chunk = 512;
    for (std::int64_t first = 0; first < g.local_cols(); first += nb) {
        const std::int64_t j0 = g.global_col(first), width = std::min(nb, g.local_cols() - first), j1 = j0 + width;
        const double* block = g.data() + first * g.ld();
        // The diagonal block G[J, J] is stored in full; below it, G[R, J] gives both
        // Y[R] += G[R, J]·V[J] and, for the part above the diagonal, Y[J] += G[R, J]ᵀ·V[R].
        linalg::gemm('N', 'N', width, b, width, 1.0, block + j0, k, v + j0, k, 1.0, y + j0, k);
        for (std::int64_t r0 = j1; r0 < k; r0 += chunk) {
            const std::int64_t rows = std::min(chunk, k - r0);
            linalg::gemm('N', 'N', rows, b, width, 1.0, block + r0, k, v + j0, k, 1.0, y + r0, k);
            linalg::gemm('T', 'N', width, b, rows, 1.0, block + r0, k, v + r0, k, 1.0, y + j0, k);
        }
    }
    CTSCALE_MPI(
        MPI_Allreduce(MPI_IN_PLACE, y, linalg::to_blas_int(k * b), MPI_DOUBLE, MPI_SUM, g.grid().communicator()));
}

}  // namespace ctscale::blacs
