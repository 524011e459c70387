#pragma once
/// Operations on a DistributedMatrix. Each is collective over the processes of the
/// matrix's grid (ranks outside it return at once) and throws LibraryError when ScaLAPACK
/// reports info != 0. The Gram product is in gram.hpp.
#include <cstdint>
#include <vector>

#include "ctscale/blacs/distributed_matrix.hpp"

namespace ctscale::blacs {

/// Σ of the squares of every entry, on every process of the grid.
double sum_of_squares(const DistributedMatrix& a);

/// Eigenvalues number il..iu (1-based, ascending) of the symmetric `g` (lower triangle
/// used, square blocks) by PDSYEVR without vectors; `g` is destroyed. Every process of
/// the grid receives them, ascending.
std::vector<double> symmetric_eigenvalues(DistributedMatrix& g, std::int64_t il, std::int64_t iu);

}  // namespace ctscale::blacs
