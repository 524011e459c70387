#pragma once
// Reading one weight matrix as Wᵀ (the rows as stored): in the SPEC §3 row partition over
// all ranks (the large matrices), or whole by one rank (the moderate ones).
#include <cstdint>

#include "ctscale/blacs/distributed_matrix.hpp"
#include "ctscale/blacs/large_buffer.hpp"
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

/// Collective over the checkpoint's communicator: rank `owner` reads every row of
/// `tensor` (sub-blocks of about `budget_bytes`) while the others join each collective
/// read with nothing selected. On the owner, `wt` becomes Wᵀ (cols × rows, column-major:
/// the rows as stored); `raw` is staging. Both keep their capacity from call to call, so
/// pages touched once are reused (first touches cost ~4 ms/MB here). `nonfinite` counts
/// the owner's NaN/Inf.
void read_on_one_rank(const io::Checkpoint& checkpoint, const io::TensorInfo& tensor, int owner, int rank,
                      std::int64_t budget_bytes, blacs::LargeVector<double>& wt, blacs::LargeVector<unsigned char>& raw,
                      std::int64_t& nonfinite);

}  // namespace ctscale::spectral
