#pragma once
/// `--spectral full` for the transition matrices: the six V×V matrices are formed densely in
/// ScaLAPACK's 2-D block-cyclic layout (never gathered) and their singular values computed
/// with the spectral module's distributed Gram route (PDSYRK + PDSYEVR).
#include <array>
#include <boost/mpi/communicator.hpp>
#include <cstdint>
#include <vector>

#include "ctscale/blacs/process_grid.hpp"
#include "ctscale/transition/bigram_counts.hpp"
#include "ctscale/transition/sparse_gram.hpp"

namespace ctscale::transition {

/// Collective over `comm` (the communicator `grid` was built on). Returns on rank 0 the
/// singular values, descending, of the six matrices of the leading V×V block in the order of
/// matrix_names; empty vectors elsewhere. One dense matrix is alive at a time: V²/P doubles
/// per rank, plus its Gram matrix and the eigensolver's workspace.
std::array<std::vector<double>, matrix_count> dense_singular_values(const std::vector<CountEntry>& owned,
                                                                    std::int64_t v,
                                                                    const std::vector<std::int64_t>& row_sums,
                                                                    const blacs::ProcessGrid& grid,
                                                                    const boost::mpi::communicator& comm);

}  // namespace ctscale::transition
