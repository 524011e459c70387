#pragma once
/// One rank's share of the fit of one matrix: per-row sums (exact, row-local) and Chan
/// co-moments of the amplitudes, accumulated block by block and packed for the gather.
#include <cstdint>
#include <vector>

#include "ctscale/fit/moments.hpp"
#include "ctscale/fit/width_plan.hpp"
#include "ctscale/util/scratch_array.hpp"

namespace ctscale::fit {

/// Per-row quantities: Σw², ss_tot, constant flag, then (ss_res, ss_res_null) per entry.
inline std::int64_t row_record_size(const WidthPlan& plan) { return 3 + 2 * std::int64_t(plan.entries.size()); }

struct NonFinite {
    std::int64_t count = 0;
    std::int64_t first_row = -1;  ///< global row of the first non-finite value
    std::int64_t first_col = -1;
};

/// Working arrays of one row block, reused from block to block and matrix to matrix (a
/// first touch of a page costs more here than the arithmetic on it).
struct BlockScratch {
    util::ScratchArray<double> projections;      ///< count × total_columns, row-major
    util::ScratchArray<double> permuted_rows;    ///< the null rows w[π], for the banded route
    util::ScratchArray<double> design_products;  ///< W·Φ, for the banded route
    util::ScratchArray<double> amplitudes;       ///< count × K, for --save-amplitudes
};

class LocalFit {
public:
    LocalFit(const WidthPlan& plan, std::int64_t first_global_row, bool keep_amplitudes, BlockScratch& scratch);
    /// Adds `count` rows (row-major count×cols), the next ones of this rank.
    void add_block(const double* rows, std::int64_t count);
    /// [nonfinite count, first row, first col, rows, row records..., per entry: co-moments
    /// of the projections and of the null twin's (dimension r), (amplitudes)].
    std::vector<double> pack() const;
    const NonFinite& nonfinite() const noexcept { return nonfinite_; }

private:
    void project(const double* rows, std::int64_t count);
    void record_nonfinite(const double* row, std::int64_t n, std::int64_t global_row, std::int64_t count);

    const WidthPlan& plan_;
    std::int64_t next_row_;
    bool keep_amplitudes_;
    std::int64_t rows_ = 0;
    NonFinite nonfinite_;
    std::vector<double> row_records_;
    std::vector<CoMoments> moments_, null_moments_;
    std::vector<std::vector<double>> amplitudes_;
    BlockScratch& scratch_;
    double* projections_ = nullptr;  ///< the current block's, in scratch_
};

}  // namespace ctscale::fit
