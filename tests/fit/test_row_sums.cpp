// The per-row sums of LocalFit: Σw², ss_tot, the constant-row flag and non-finite counts,
// which the fit takes from one SIMD-friendly pass and confirms exactly only when flagged.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "ctscale/fit/local_fit.hpp"
#include "ctscale/fit/width_plan.hpp"

using namespace ctscale::fit;

namespace {

constexpr std::int64_t n = 7;  // not a multiple of the four lanes: the tail is summed too

struct Packed {
    std::vector<double> values;
    std::int64_t record;
    double nonfinite() const { return values[0]; }
    double first_col() const { return values[2]; }
    const double* row(std::int64_t r) const { return &values[4 + r * record]; }
};

Packed fit_rows(const std::vector<double>& rows) {
    static const std::vector<KSetting> settings{KSetting::from_value(4)};
    static BasisCache cache(settings, 1.0, 0);
    const WidthPlan& plan = cache.plan(n);
    BlockScratch scratch;
    LocalFit fit(plan, 0, false, scratch);
    fit.add_block(rows.data(), static_cast<std::int64_t>(rows.size()) / n);
    return {fit.pack(), row_record_size(plan)};
}

}  // namespace

TEST(RowSums, MatchATwoPassComputation) {
    const std::vector<double> row{1e3 + 0.25, 1e3 - 1.5, 1e3 + 2.0, 1e3, 1e3 + 0.125, 1e3 - 3.0, 1e3 + 7.5};
    const Packed packed = fit_rows(row);
    double sumsq = 0, mean = 0, ss_tot = 0;
    for (double v : row) sumsq += v * v, mean += v / n;
    for (double v : row) ss_tot += (v - mean) * (v - mean);
    EXPECT_NEAR(packed.row(0)[0], sumsq, 1e-15 * sumsq);
    EXPECT_NEAR(packed.row(0)[1], ss_tot, 1e-12 * ss_tot);
    EXPECT_EQ(packed.row(0)[2], 0.0);
    EXPECT_EQ(packed.nonfinite(), 0.0);
}

TEST(RowSums, FlagConstantRowsOnlyWhenEveryEntryIsEqual) {
    std::vector<double> rows(2 * n, 2.5);
    // Differences whose squares underflow to zero: Σ(w − w₀)² = 0, yet not constant.
    for (std::int64_t j = 0; j < n; ++j) rows[n + j] = 1e-170 * double(j % 3);
    const Packed packed = fit_rows(rows);
    EXPECT_EQ(packed.row(0)[2], 1.0);
    EXPECT_EQ(packed.row(0)[1], 0.0);
    EXPECT_EQ(packed.row(1)[2], 0.0);
}

TEST(RowSums, CountNonFiniteEntriesExactly) {
    std::vector<double> rows(2 * n, 1.0);
    rows[5] = std::numeric_limits<double>::quiet_NaN();
    rows[n + 2] = std::numeric_limits<double>::infinity();
    rows[n + 6] = -std::numeric_limits<double>::infinity();
    // Finite but with Σw² overflowing: not counted.
    std::vector<double> huge(n, 1e200);
    rows.insert(rows.end(), huge.begin(), huge.end());
    const Packed packed = fit_rows(rows);
    EXPECT_EQ(packed.nonfinite(), 3.0);
    EXPECT_EQ(packed.first_col(), 5.0);
}
