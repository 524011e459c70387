#pragma once
// Reading one weight matrix as Wᵀ (the rows as stored): in the docs/computation.md row partition over
// all ranks (the large matrices), or whole by one rank (the moderate ones).
#include <cstdint>

#include "ctscale/blacs/distributed_matrix.hpp"
#include "ctscale/blacs/large_buffer.hpp"
#include "ctscale/io/checkpoint.hpp"

namespace ctscale::spectral {

/// For each rank of `line_grid` (1×P, rank r = process column r; the reads are not
/// collective): reads the rows of `tensor` that rank owns (io::RowPartition) in sub-blocks of at most about
/// `budget_bytes`, converting each to double in place of the stored row-major layout —
/// which is Wᵀ's column-major block (DistributedMatrix::transposed_row_blocks).
/// `nonfinite` counts this rank's NaN/Inf.
blacs::DistributedMatrix read_transposed_rows(const io::Checkpoint& checkpoint, const io::TensorInfo& tensor,
                                              const blacs::ProcessGrid& line_grid, std::int64_t budget_bytes,
                                              std::int64_t& nonfinite);

/// Not collective: this rank reads every row of `tensor` (sub-blocks of about
/// `budget_bytes`). `wt` becomes Wᵀ (cols × rows, column-major: the rows as stored); `raw`
/// is staging. Both keep their capacity from call to call, so pages touched once are
/// reused (first touches are slow: BENCHMARKS.md, "Design measurements"). `nonfinite`
/// counts the NaN/Inf.
void read_whole(const io::Checkpoint& checkpoint, const io::TensorInfo& tensor, std::int64_t budget_bytes,
                blacs::LargeVector<double>& wt, blacs::LargeVector<unsigned char>& raw, std::int64_t& nonfinite);

/// G = WᵀW of a matrix with rows ≥ cols, summed as it is read instead of from W held whole.
struct StreamedGram {
    blacs::LargeVector<double> g;  ///< on the solver: cols × cols, lower triangle
    std::int64_t nonfinite = 0;    ///< this rank's NaN/Inf
};

/// Whether stream_gram pays for `tensor`: rows ≥ cols and a read step of `budget_bytes`
/// holds at least cols rows, so each step's rank-k update of G (DSYRK) does at least as
/// many flops per element of G as a square product — true of embeddings and output heads
/// over a narrow model dimension, e.g. gpt2-124m's 50257 × 768, whose W in doubles is
/// 309 MB of first touches while its G is 4.7 MB.
bool streams_gram(const io::TensorInfo& tensor, std::int64_t budget_bytes);

/// Collective over the ranks of `line_grid`: each reads its rows (io::RowPartition) in
/// steps of about `budget_bytes` and adds each step's BᵀB to its share of G; the shares
/// are summed onto process column `solver`.
StreamedGram stream_gram(const io::Checkpoint& checkpoint, const io::TensorInfo& tensor,
                         const blacs::ProcessGrid& line_grid, std::int64_t budget_bytes, int solver);

}  // namespace ctscale::spectral
