#pragma once
/// Fast paths for the one-dimensional layouts of the spectral stage, in plain MPI with
/// derived datatypes: PDGEMR2D moves a large matrix between ranks far more slowly than MPI
/// moves the same bytes (BENCHMARKS.md, "Design measurements"). Both are collective over the
/// processes of the matrices' grids (all ranks of the communicator the grids were built from).
#include <cstdint>

#include "ctscale/blacs/distributed_matrix.hpp"
#include "ctscale/blacs/large_buffer.hpp"

namespace ctscale::blacs {

/// The whole of `a` — on a 1×P grid, every row local (column blocks, any cyclic layout) —
/// on process `root` as a rows × cols column-major array (leading dimension rows); an empty
/// vector elsewhere. Throws LibraryError on every process when the root cannot allocate it.
LargeVector<double> gather_columns(const DistributedMatrix& a, int root);

/// Copies `from` — on a 1×P grid, every row local, at most one column block per process —
/// into `to` — on a P×1 grid of the same processes, every column local, at most one row
/// block per process (e.g. DistributedMatrix::row_blocks).
void columns_to_rows(const DistributedMatrix& from, DistributedMatrix& to);

}  // namespace ctscale::blacs
