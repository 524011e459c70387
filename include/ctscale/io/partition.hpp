#pragma once
/// The row partition of docs/computation.md: with b = ⌈m/P⌉, rank r owns rows [r·b, min((r+1)·b, m)).
/// It is a ScaLAPACK block layout (block b on a P×1 grid), so the same value describes
/// the HDF5 hyperslab of a rank and its descriptor for PDGEMR2D. Trailing ranks may own
/// no rows (always when P > m).
#include <algorithm>
#include <cstdint>

namespace ctscale::io {

struct RowPartition {
    std::int64_t global_rows = 0;
    int ranks = 1;
    int rank = 0;

    /// ⌈m/P⌉ (at least 1, so the descriptor block size is valid even for m = 0).
    std::int64_t block() const noexcept { return std::max<std::int64_t>(1, (global_rows + ranks - 1) / ranks); }
    std::int64_t first_of(int r) const noexcept { return std::min(global_rows, r * block()); }
    std::int64_t count_of(int r) const noexcept { return std::min(global_rows, (r + 1) * block()) - first_of(r); }
    std::int64_t first() const noexcept { return first_of(rank); }
    std::int64_t count() const noexcept { return count_of(rank); }
    /// The rank owning global row `row`.
    int owner(std::int64_t row) const noexcept { return static_cast<int>(row / block()); }
};

/// Sub-blocks of a rank's rows, sized from a memory budget. Every rank takes the same
/// number of steps (that of the largest share) so collective reads stay matched.
struct SubBlocks {
    std::int64_t rows_per_step = 1;
    std::int64_t steps = 0;

    static SubBlocks plan(const RowPartition& partition, std::int64_t budget_bytes, std::int64_t bytes_per_row) {
        SubBlocks plan;
        plan.rows_per_step = std::max<std::int64_t>(1, budget_bytes / std::max<std::int64_t>(1, bytes_per_row));
        plan.rows_per_step = std::min(plan.rows_per_step, partition.block());
        plan.steps = (partition.count_of(0) + plan.rows_per_step - 1) / plan.rows_per_step;
        return plan;
    }
    /// Local rows [offset, offset + count) of step `s` for a rank owning `local_rows`.
    std::int64_t offset(std::int64_t s) const noexcept { return s * rows_per_step; }
    std::int64_t count(std::int64_t s, std::int64_t local_rows) const noexcept {
        return std::clamp<std::int64_t>(local_rows - offset(s), 0, rows_per_step);
    }
};

}  // namespace ctscale::io
