#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "ctscale/fit/banded_design.hpp"
#include "ctscale/fit/local_fit.hpp"
#include "ctscale/fit/width_plan.hpp"
#include "ctscale/linalg/blas.hpp"

using namespace ctscale::fit;

namespace {

std::vector<double> normal_rows(std::int64_t count, std::int64_t n, std::uint64_t seed) {
    std::mt19937_64 random(seed);
    std::normal_distribution<double> normal(0.3, 1.0);
    std::vector<double> rows(static_cast<std::size_t>(count * n));
    for (auto& v : rows) v = normal(random);
    return rows;
}

double max_abs(const std::vector<double>& v) {
    double m = 0;
    for (double x : v) m = std::max(m, std::abs(x));
    return m;
}

using Kernel = BandedDesign::Kernel;

/// Y = W·Φ by its definition (plain loops over the whole of Φ), and Σ_j |w_j·Φ_jk| to
/// bound the rounding of each entry.
struct DenseProduct {
    std::vector<double> y, magnitude;
};
DenseProduct dense_product(const std::vector<double>& rows, std::int64_t count, std::int64_t n, std::int64_t k,
                           double width) {
    const std::vector<double> phi = gaussian_design(n, k, width);  // column-major n × K
    DenseProduct out{std::vector<double>(static_cast<std::size_t>(count * k)),
                     std::vector<double>(static_cast<std::size_t>(count * k))};
    for (std::int64_t r = 0; r < count; ++r) {
        for (std::int64_t c = 0; c < k; ++c) {
            double sum = 0, magnitude = 0;
            for (std::int64_t j = 0; j < n; ++j) {
                sum += rows[r * n + j] * phi[c * n + j];
                magnitude += std::abs(rows[r * n + j] * phi[c * n + j]);
            }
            out.y[r * k + c] = sum;
            out.magnitude[r * k + c] = magnitude;
        }
    }
    return out;
}

}  // namespace

class BandedDesignProduct : public ::testing::TestWithParam<std::tuple<std::int64_t, std::int64_t, double>> {};

TEST_P(BandedDesignProduct, EqualsTheDenseProductToRounding) {
    const auto [n, k, width] = GetParam();
    const std::int64_t count = 5;
    const std::vector<double> rows = normal_rows(count, n, 7);
    const std::vector<double> phi = gaussian_design(n, k, width);
    std::vector<double> dense(static_cast<std::size_t>(count * k));
    // Row-major Y = W·Φ is column-major Yᵀ = Φᵀ·Wᵀ.
    ctscale::linalg::gemm('T', 'N', k, count, n, 1.0, phi.data(), n, rows.data(), n, 0.0, dense.data(), k);
    std::vector<double> banded(static_cast<std::size_t>(count * k), -1.0);
    const BandedDesign design(n, k, width);
    design.apply(rows.data(), count, banded.data(), k);
    const double scale = max_abs(dense);
    for (std::size_t i = 0; i < dense.size(); ++i) EXPECT_NEAR(banded[i], dense[i], 1e-14 * scale) << "entry " << i;
    EXPECT_LE(design.stored_entries(), n * k);
}

INSTANTIATE_TEST_SUITE_P(Shapes, BandedDesignProduct,
                         ::testing::Values(std::make_tuple(768, 48, 1.0),     // gpt2 K rule
                                           std::make_tuple(1000, 61, 1.0),    // n not divisible by K, partial tile
                                           std::make_tuple(3072, 192, 1.25),  // wider Gaussians
                                           std::make_tuple(40, 40, 1.0),      // K = n
                                           std::make_tuple(50, 3, 0.5)));     // one partial tile, wide support

class BandedDesignKernel : public ::testing::TestWithParam<std::tuple<std::int64_t, std::int64_t, double>> {};

// Row counts below, at and above the kernel's row group, with remainders; K not a multiple
// of the tile width (a narrower last tile); first and last tiles clipped at the row ends;
// Y with a leading dimension wider than K, whose extra columns must stay untouched.
TEST_P(BandedDesignKernel, EqualsTheDefinitionForAnyRowCount) {
    const auto [n, k, width] = GetParam();
    const std::int64_t ldy = k + 3;
    const std::vector<double> rows = normal_rows(23, n, 3);
    const DenseProduct want = dense_product(rows, 23, n, k, width);
    const BandedDesign design(n, k, width);
    for (const Kernel kernel : {Kernel::automatic, Kernel::portable}) {
        for (const std::int64_t count : {1, 2, 5, 6, 7, 12, 13, 23}) {
            std::vector<double> y(static_cast<std::size_t>(count * ldy), -7.0);
            design.apply(rows.data(), count, y.data(), ldy, kernel);
            std::size_t wrong = 0;
            for (std::int64_t r = 0; r < count; ++r) {
                for (std::int64_t c = 0; c < k; ++c) {
                    // Dropped entries are below 2.4e-20 each; the kept sum rounds to ~1e-14.
                    const double bound = 1e-14 * want.magnitude[r * k + c] + 1e-18;
                    wrong += !(std::abs(y[r * ldy + c] - want.y[r * k + c]) <= bound);
                }
                for (std::int64_t c = k; c < ldy; ++c) wrong += y[r * ldy + c] != -7.0;
            }
            EXPECT_EQ(wrong, 0u) << "count " << count << (kernel == Kernel::portable ? ", portable" : ", automatic");
        }
    }
}

// The same row gives bitwise the same result wherever it sits in a block and whatever the
// block's size, so the fit does not depend on how rows are split among ranks and blocks.
TEST_P(BandedDesignKernel, GivesARowTheSameResultAtAnyPosition) {
    const auto [n, k, width] = GetParam();
    const std::int64_t count = 23;
    const std::vector<double> rows = normal_rows(count, n, 5);
    const BandedDesign design(n, k, width);
    for (const Kernel kernel : {Kernel::automatic, Kernel::portable}) {
        std::vector<double> whole(static_cast<std::size_t>(count * k));
        design.apply(rows.data(), count, whole.data(), k, kernel);
        std::size_t differing = 0;
        for (std::int64_t first = 0; first < count; ++first) {
            for (std::int64_t length = 1; length <= 8 && first + length <= count; ++length) {
                std::vector<double> part(static_cast<std::size_t>(length * k));
                design.apply(rows.data() + first * n, length, part.data(), k, kernel);
                for (std::int64_t i = 0; i < length * k; ++i) differing += part[i] != whole[first * k + i];
            }
        }
        EXPECT_EQ(differing, 0u) << (kernel == Kernel::portable ? "portable" : "automatic");
    }
}

INSTANTIATE_TEST_SUITE_P(Shapes, BandedDesignKernel,
                         ::testing::Values(std::make_tuple(1000, 61, 1.0),   // last tile 5 columns wide
                                           std::make_tuple(777, 97, 1.25),   // last tile 1 column wide
                                           std::make_tuple(4096, 256, 1.0),  // the 7B K rule
                                           std::make_tuple(50, 3, 0.5),      // one tile, clipped at both ends
                                           std::make_tuple(40, 40, 1.0)));   // K = n

TEST(BandedDesignKernel, FmaKernelIsTheOneTakenOnThisMachine) {
    // The x86-64 machines this runs on have AVX2/FMA; without them `automatic` is the
    // portable kernel and the tests above check only that one.
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) GTEST_SKIP() << "no AVX2/FMA";
    EXPECT_TRUE(BandedDesign::fma_kernel_available());
}

TEST(BandedRoute, TakenOnlyForWideWellConditionedBases) {
    const std::vector<KSetting> settings{KSetting::from_value(8), KSetting::from_rule(KRule{})};
    BasisCache cache(settings, 1.0, 0);
    const WidthPlan& plan = cache.plan(768);
    ASSERT_EQ(plan.entries.size(), 2u);
    EXPECT_FALSE(plan.entries[0].banded) << "K = 8 spans the whole row: dense";
    ASSERT_TRUE(plan.entries[1].banded) << "K = 48 on 768 columns: banded";
    EXPECT_EQ(plan.widest_banded_k, 48);
    EXPECT_EQ(plan.dense_columns, 2 * 8);
    EXPECT_EQ(plan.entries[1].column, plan.dense_columns);
    EXPECT_EQ(plan.total_columns, 2 * (8 + 48));

    BasisCache ill_conditioned(settings, 1.6, 0);  // cond(Φ) > 1e3: the banded error bound is too loose
    EXPECT_GT(ill_conditioned.plan(768).entries[1].basis->condition, 1e3);
    EXPECT_FALSE(ill_conditioned.plan(768).entries[1].banded);
}

TEST(BandedRoute, GivesTheDenseRouteResidualsAndMoments) {
    const std::int64_t n = 1024, count = 300;
    const std::vector<KSetting> settings{KSetting::from_value(4), KSetting::from_value(64),
                                         KSetting::from_rule(KRule{})};
    BasisCache banded_cache(settings, 1.0, 5), dense_cache(settings, 1.0, 5, false);
    const WidthPlan& banded_plan = banded_cache.plan(n);
    const WidthPlan& dense_plan = dense_cache.plan(n);
    ASSERT_GT(banded_plan.widest_banded_k, 0);
    ASSERT_EQ(dense_plan.widest_banded_k, 0);

    const std::vector<double> rows = normal_rows(count, n, 11);
    BlockScratch banded_scratch, dense_scratch;
    LocalFit banded(banded_plan, 0, true, banded_scratch), dense(dense_plan, 0, true, dense_scratch);
    // Several blocks, the last one short; 127 rows leave a remainder after groups of four.
    for (std::int64_t first = 0; first < count; first += 127) {
        const std::int64_t block = std::min<std::int64_t>(127, count - first);
        banded.add_block(rows.data() + first * n, block);
        dense.add_block(rows.data() + first * n, block);
    }
    const std::vector<double> a = banded.pack(), b = dense.pack();
    ASSERT_EQ(a.size(), b.size());
    const double scale = max_abs(b);
    std::size_t differing = 0;
    for (std::size_t i = 0; i < a.size(); ++i) differing += !(std::abs(a[i] - b[i]) <= 1e-12 * scale);
    EXPECT_EQ(differing, 0u) << "of " << a.size() << " packed values (residuals, moments, amplitudes)";
}
