#pragma once
/// The six participation ratios of docs/definitions.md §7 without an SVD and without a dense V³
/// product: pr = ‖X‖_F⁴/‖XᵀX‖_F², where G = XᵀX of the sparse X is formed one row of G at a
/// time (a sparse accumulator), squared and summed, never stored.
///
/// Layout: on a pr×pc grid, process (a, b) forms the entries G[j, k] with j ≡ a (mod pr),
/// k ≡ b (mod pc) and k ≥ j (G is symmetric: off-diagonal squares count twice) — a
/// 2-D cyclic layout of G, which balances the Zipf-heavy leading rows. It needs the
/// columns j ≡ a of X ("left", by column) and the columns k ≡ b of X ("right", by row):
/// each position of X is held by pr + pc − 1 processes. Each G[j, k] is summed in ascending
/// row order whatever the grid, so only the final sum of squares depends on the rank count.
///
/// X is built per V from the count pair (C[i,j], C[j,i]) of each position and the row sums,
/// exactly as the dense reference does: P = C/rowsum, (M ± Mᵀ)/2.
#include <array>
#include <boost/mpi/communicator.hpp>
#include <cstdint>
#include <vector>

#include "ctscale/blacs/process_grid.hpp"
#include "ctscale/transition/bigram_counts.hpp"

namespace ctscale::transition {

/// The six matrices, in the order of the results table.
inline constexpr int matrix_count = 6;
inline constexpr std::array<const char*, matrix_count> matrix_names = {"counts", "counts_sym", "counts_skew",
                                                                       "P",      "P_sym",      "P_skew"};
using Six = std::array<double, matrix_count>;

/// A position (row, col) of X with m = C[row, col] and mt = C[col, row].
struct PairEntry {
    std::int32_t row;
    std::int32_t col;
    std::int64_t m;
    std::int64_t mt;
};

/// Sorts by (row, col) and adds up equal positions.
void merge_pairs(std::vector<PairEntry>& entries);

/// X[row, col] of the six matrices for the leading V×V block with these row sums.
Six six_values(const PairEntry& e, const std::vector<std::int64_t>& row_sums) noexcept;

struct GramSums {
    Six frobenius_sq{};  ///< ‖X‖_F² = Σσ²
    Six gram_sq{};       ///< ‖XᵀX‖_F² = Σσ⁴
    /// (Σσ²)²/Σσ⁴, NaN for a zero matrix.
    Six pr() const noexcept;
};

class SparseGram {
public:
    /// Collective: routes the owners' counts to the Gram layout on `shape` (ranks beyond
    /// the grid hold nothing but take part in every collective call).
    SparseGram(const std::vector<CountEntry>& owned, blacs::GridShape shape, const boost::mpi::communicator& comm);

    /// Collective: the sums of the leading V×V block, identical on every rank (partial sums
    /// combined in rank order, so a fixed rank count gives bitwise-fixed results).
    GramSums sums(std::int64_t v, const std::vector<std::int64_t>& row_sums,
                  const boost::mpi::communicator& comm) const;

private:
    GramSums local_sums(std::int64_t v, const std::vector<std::int64_t>& row_sums) const;
    blacs::GridShape shape_;
    int my_row_ = -1, my_col_ = -1;
    std::vector<PairEntry> left_;   ///< columns ≡ my_row (mod pr), sorted by (col, row)
    std::vector<PairEntry> right_;  ///< columns ≡ my_col (mod pc), sorted by (row, col)
};

}  // namespace ctscale::transition
