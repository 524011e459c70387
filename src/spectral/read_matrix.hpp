#pragma once
// Reading one weight matrix in the SPEC §3 row partition, as Wᵀ in BLACS column blocks.
#include <cstdint>

#include "ctscale/blacs/distributed_matrix.hpp"
#include "ctscale/io/checkpoint.hpp"

namespace ctscale::spectral {

/// Collective over the ranks of `line_grid` (1×P, rank r = process column r): reads the
/// rows of `tensor` that rank owns (io::RowPartition) in sub-blocks of at most about
/// `budget_bytes`, converting each to double in place of the stored row-major layout —
/// which is Wᵀ's column-major block (DistributedMatrix::transposed_row_blocks).
/// `nonfinite` counts this rank's NaN/Inf.
blacs::DistributedMatrix read_transposed_rows(const io::Checkpoint& checkpoint, const io::TensorInfo& tensor,
                                              const blacs::ProcessGrid& line_grid, std::int64_t budget_bytes,
                                              std::int64_t& nonfinite);

}  // namespace ctscale::spectral
