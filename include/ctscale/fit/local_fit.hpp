#pragma once
/// One rank's share of the fit of one matrix: per-row sums (exact, row-local) and Chan
/// co-moments of the amplitudes, accumulated block by block and packed for the gather.
#include <cstdint>
#include <vector>

#include "ctscale/fit/moments.hpp"
#include "ctscale/fit/width_plan.hpp"

namespace ctscale::fit {

/// Per-row quantities: Σw², ss_tot, constant flag, then (ss_res, ss_res_null) per entry.
inline std::int64_t row_record_size(const WidthPlan& plan) { return 3 + 2 * std::int64_t(plan.entries.size()); }

struct NonFinite {
    std::int64_t count = 0;
    std::int64_t first_row = -1;  ///< global row of the first non-finite value
    std::int64_t first_col = -1;
};

class LocalFit {
public:
    /// `scratch` holds the projections of a block; it is reused from matrix to matrix.
    LocalFit(const WidthPlan& plan, std::int64_t first_global_row, bool keep_amplitudes, std::vector<double>& scratch);
    /// Adds `count` rows (row-major count×cols), the next ones of this rank.
    void add_block(const double* rows, std::int64_t count);
    /// [nonfinite count, first row, first col, rows, row records..., per entry: co-moments
    /// of the projections and of the null twin's (dimension r), (amplitudes)].
    std::vector<double> pack() const;
    const NonFinite& nonfinite() const noexcept { return nonfinite_; }

private:
    void record_nonfinite(const double* row, std::int64_t n, std::int64_t global_row, std::int64_t count);

    const WidthPlan& plan_;
    std::int64_t next_row_;
    bool keep_amplitudes_;
    std::int64_t rows_ = 0;
    NonFinite nonfinite_;
    std::vector<double> row_records_;
    std::vector<CoMoments> moments_, null_moments_;
    std::vector<std::vector<double>> amplitudes_;
    std::vector<double>& projections_;
    std::vector<double> block_amplitudes_;
};

}  // namespace ctscale::fit
