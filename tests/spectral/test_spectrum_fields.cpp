// The §4.6 fields from given singular values, the power-law fit against numbers from the
// NumPy reference (tests/reference/spectral_reference.py, power_law_fit), and the schedule.
#include <gtest/gtest.h>

#include <cmath>

#include "ctscale/spectral/schedule.hpp"
#include "ctscale/spectral/spectrum_fields.hpp"

using namespace ctscale;
using spectral::PowerLawFit;

TEST(PowerLaw, SyntheticSampleMatchesTheNumpyReference) {
    // 200 quantiles of a Pareto law (α = 2.5, x_min = 1) above a bulk of 60 values < 1.
    std::vector<double> x;
    for (int i = 0; i < 200; ++i) x.push_back(std::pow(1.0 - (i + 0.5) / 200.0, -1.0 / 1.5));
    for (int i = 0; i < 60; ++i) x.push_back(0.2 + 0.6 * i / 60.0);
    const PowerLawFit fit = spectral::fit_power_law(x);
    // Python: power_law_fit(x) → alpha 2.5063794514559943, ks 0.005, tail 200, x_min 1.0016701466226623
    EXPECT_NEAR(fit.alpha, 2.5063794514559943, 1e-12);
    EXPECT_NEAR(fit.ks, 0.005, 1e-12);
    EXPECT_EQ(fit.tail, 200.0);
    EXPECT_DOUBLE_EQ(fit.x_min, 1.0016701466226623);
}

TEST(PowerLaw, RepeatedValuesAreOneCandidateAndTheTailKeepsTies) {
    std::vector<double> y(5, 1.0);
    y.insert(y.end(), 3, 2.0);
    for (int v = 3; v < 20; ++v) y.push_back(v);
    const PowerLawFit fit = spectral::fit_power_law(y);
    // Python: alpha 3.84721358440338, ks 0.22621758267431563, tail 10, x_min 10
    EXPECT_NEAR(fit.alpha, 3.84721358440338, 1e-12);
    EXPECT_NEAR(fit.ks, 0.22621758267431563, 1e-12);
    EXPECT_EQ(fit.tail, 10.0);
    EXPECT_EQ(fit.x_min, 10.0);
}

TEST(PowerLaw, NaNBelowTenValuesOrForAConstantTail) {
    EXPECT_TRUE(std::isnan(spectral::fit_power_law(std::vector<double>(9, 2.0)).alpha));
    EXPECT_TRUE(std::isnan(spectral::fit_power_law(std::vector<double>(30, 2.0)).alpha));
    std::vector<double> ten{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    const PowerLawFit fit = spectral::fit_power_law(ten);
    EXPECT_EQ(fit.tail, 10.0);  // the only candidate is the smallest value
    EXPECT_EQ(fit.x_min, 1.0);
}

TEST(SpectrumFields, EqualSingularValues) {
    spectral::SpectralResult r;
    // A 4 × 6 matrix with σ = 2, 2, 2, 2: ‖W‖_F² = 16.
    spectral::fill_full_fields(r, {2, 2, 2, 2}, 4, 6, 16.0);
    EXPECT_DOUBLE_EQ(r.spectral_norm, 2.0);
    EXPECT_DOUBLE_EQ(r.stable_rank, 4.0);
    EXPECT_DOUBLE_EQ(r.nuclear_norm, 8.0);
    EXPECT_NEAR(r.effective_rank, 4.0, 1e-14);
    EXPECT_TRUE(std::isnan(r.alpha));  // 4 < 10 positive values
    EXPECT_DOUBLE_EQ(r.log_spectral_norm, std::log10(4.0 / 6.0));
    const double edge = 16.0 / 24.0 * std::pow(1.0 + std::sqrt(4.0 / 6.0), 2);
    EXPECT_DOUBLE_EQ(r.mp_edge, edge);
    EXPECT_EQ(r.n_spikes, 0.0);
    EXPECT_DOUBLE_EQ(r.mp_softrank, edge / (4.0 / 6.0));
    EXPECT_EQ(r.singular_values.size(), 4u);
}

TEST(SpectrumFields, ZeroMatrixHasNoRatios) {
    spectral::SpectralResult r;
    spectral::fill_full_fields(r, {0, 0, 0}, 3, 3, 0.0);
    spectral::fill_pr_fields(r, 0.0, 0.0, 0.0);
    EXPECT_EQ(r.nuclear_norm, 0.0);
    EXPECT_EQ(r.spectral_norm, 0.0);
    for (double v : {r.pr_sv, r.stable_rank, r.effective_rank, r.alpha, r.log_spectral_norm, r.mp_softrank}) {
        EXPECT_TRUE(std::isnan(v));
    }
    EXPECT_EQ(r.n_spikes, 0.0);
}

TEST(SpectrumFields, GramEigenvaluesBecomeDescendingSigmaWithTheRoundingFloorAtZero) {
    const auto sigma = spectral::singular_values_from_gram({-1e-15, 1e-17, 0.25, 4.0}, 8);
    ASSERT_EQ(sigma.size(), 4u);
    EXPECT_EQ(sigma[0], 2.0);
    EXPECT_EQ(sigma[1], 0.5);
    EXPECT_EQ(sigma[2], 0.0);  // √1e-17 ≈ 3e-9 ≤ √(8ε)·2 ≈ 8e-8
    EXPECT_EQ(sigma[3], 0.0);
}

namespace {

/// A matrix of the schedule's tests: only its name and shape matter.
io::TensorInfo tensor(std::string name, std::int64_t rows, std::int64_t cols) {
    io::TensorInfo t;
    t.name = std::move(name);
    t.rows = rows;
    t.cols = cols;
    return t;
}

}  // namespace

TEST(Schedule, LargestFirstThenNameAndOnlyDominantMatricesOnAllRanks) {
    const std::vector<io::TensorInfo> m = {tensor("b", 10, 10), tensor("big", 400, 300), tensor("a", 10, 10),
                                           tensor("c", 20, 5), tensor("d", 5, 5)};
    const auto one = spectral::plan_spectral(m, 1, std::int64_t{1} << 30);
    EXPECT_TRUE(one.whole_grid.empty());
    ASSERT_EQ(one.rounds.size(), 5u);
    EXPECT_EQ(one.rounds[0][0], 1u);  // big
    EXPECT_EQ(one.rounds[1][0], 2u);  // a (100 params, name before b)
    EXPECT_EQ(one.rounds[2][0], 0u);
    EXPECT_EQ(one.rounds[3][0], 3u);
    EXPECT_EQ(one.rounds[4][0], 4u);

    const auto two = spectral::plan_spectral(m, 2, std::int64_t{1} << 30);
    ASSERT_EQ(two.whole_grid, std::vector<std::size_t>{1});
    ASSERT_EQ(two.rounds.size(), 2u);
    EXPECT_EQ(two.rounds[0], (std::vector<std::size_t>{2, 0}));
    EXPECT_EQ(two.rounds[1], (std::vector<std::size_t>{3, 4}));

    // A matrix beyond one rank's memory budget goes to all ranks together too.
    const auto tight = spectral::plan_spectral(m, 4, spectral::local_bytes(10, 10));
    EXPECT_EQ(tight.whole_grid, (std::vector<std::size_t>{1}));
    const auto tighter = spectral::plan_spectral(m, 4, spectral::local_bytes(10, 10) - 1);
    EXPECT_EQ(tighter.whole_grid.size(), 3u);
}

TEST(Schedule, AMatrixThatWouldLeaveItsRoundPartnersWaitingGoesToAllRanks) {
    // gpt2-124m's shapes: the embedding is under half of all the work (so not dominant at
    // 2 ranks), but costs 8× the matrix a round would pair it with.
    std::vector<io::TensorInfo> m;
    auto add = [&](std::string name, std::int64_t rows, std::int64_t cols) {
        io::TensorInfo t;
        t.name = std::move(name);
        t.rows = rows;
        t.cols = cols;
        m.push_back(t);
    };
    add("wte", 50257, 768);
    for (int layer = 0; layer < 12; ++layer) {
        const std::string h = "h." + std::to_string(layer) + ".";
        add(h + "c_attn", 768, 2304);
        add(h + "attn.c_proj", 768, 768);
        add(h + "c_fc", 768, 3072);
        add(h + "mlp.c_proj", 3072, 768);
    }
    double total = 0.0;
    for (const auto& t : m) total += spectral::spectral_cost(t.rows, t.cols);
    ASSERT_LT(spectral::spectral_cost(50257, 768), total / 2);  // not by the dominance rule
    const auto two = spectral::plan_spectral(m, 2, std::int64_t{1} << 30);
    EXPECT_EQ(two.whole_grid, std::vector<std::size_t>{0});
    std::size_t grouped = 0;
    for (const auto& round : two.rounds) grouped += round.size();
    EXPECT_EQ(grouped, m.size() - 1);  // partners of equal cost stay in rounds
}

TEST(Schedule, MatricesTooSmallToShareStayWholeOnOneRank) {
    // A small model on many ranks: every matrix is "dominant" (there are fewer matrices
    // than ranks), but a 1000 × 64 matrix split 64 ways is under min_split_share per rank.
    std::vector<io::TensorInfo> m = {tensor("wte", 1000, 64), tensor("q", 64, 64), tensor("up", 256, 64)};
    const auto small = spectral::plan_spectral(m, 64, std::int64_t{1} << 30);
    EXPECT_TRUE(small.whole_grid.empty());
    ASSERT_EQ(small.rounds.size(), 1u);
    EXPECT_EQ(small.rounds[0], (std::vector<std::size_t>{0, 2, 1}));
    // Large enough that each of 64 ranks gets its share: split.
    m.push_back(tensor("big", 4000, 2000));
    ASSERT_GE(spectral::spectral_cost(4000, 2000) / 64, spectral::min_split_share);
    EXPECT_EQ(spectral::plan_spectral(m, 64, std::int64_t{1} << 30).whole_grid, std::vector<std::size_t>{3});
    // Memory still forces a split, however small the share.
    EXPECT_EQ(spectral::plan_spectral(m, 64, spectral::local_bytes(1000, 64) - 1).whole_grid.size(), 2u);
}
