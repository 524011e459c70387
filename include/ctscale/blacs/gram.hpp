#pragma once
/// The Gram matrix of the smaller side of a distributed W, G = WᵀW (m ≥ n) or WWᵀ (m < n),
/// order k = min(m, n). W comes split along its longer side — its row blocks on a P×1 grid
/// when m ≥ n, its column blocks on a 1×P grid when m ≤ n (so the docs/computation.md read layout,
/// seen as Wᵀ, serves as it is for m ≥ n) — and G = Σ_r B_r·B_rᵀ with every term local.
/// (A square W split by columns gives WWᵀ: the same spectrum.) Each panel of P·nb
/// columns of G is one local GEMM per rank, summed onto the panel's owners by
/// MPI_Reduce_scatter. Why not PDSYRK: PDSYRK and PDGEMM are both slower than DSYRK, since
/// PBLAS does twice the flops, and neither gains from a second process; this route does
/// DSYRK's flops, split over P (BENCHMARKS.md, "Design measurements").
///
/// Layout of G (gram_layout): k × k, column-cyclic in blocks of nb on the 1×P grid; for a
/// local column block [j0, j1) the rows from j0 down are valid (the lower trapezoid, with
/// the diagonal block in full). That is enough for DSYEVR/PDSYEVR ('L') after
/// gather_columns (line_exchange.hpp) or PDGEMR2D, and gram_multiply applies the full
/// symmetric G from it.
#include <cstdint>

#include "ctscale/blacs/distributed_matrix.hpp"
#include "ctscale/blacs/large_buffer.hpp"

namespace ctscale::blacs {

/// An empty k × k Gram matrix in the layout above on the 1×P grid `line`.
DistributedMatrix gram_layout(const ProcessGrid& line, std::int64_t order);

/// Fills g (from gram_layout) with the Gram matrix of the smaller side of W, given as
/// described above. Collective over the processes of g's grid.
void gram_lower(const DistributedMatrix& w_split, DistributedMatrix& g);

/// The same Gram matrix summed onto one process instead: on process `root` of the 1×P grid
/// `line` (whose processes hold W's parts), the lower triangle of G in a k × k column-major
/// array (zero above the diagonal); empty elsewhere. Per panel one MPI_Reduce, so the root
/// holds G once — no layout of it spread over the grid first, then gathered (which took
/// 3·k²·8 bytes on the root and a second pass over them). Collective over `line`.
LargeVector<double> gram_lower_on(const DistributedMatrix& w_split, const ProcessGrid& line, int root);

/// ‖G‖_F² of the full symmetric G, on every process of g's grid.
double gram_sum_of_squares(const DistributedMatrix& g);

/// Y = G·V for a k × b block V (column-major, leading dimension k) held identically on
/// every process of g's grid; Y likewise, after a sum over the grid.
void gram_multiply(const DistributedMatrix& g, const double* v, std::int64_t b, double* y);

}  // namespace ctscale::blacs
