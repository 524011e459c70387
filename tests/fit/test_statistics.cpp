#include <gtest/gtest.h>

#include <cmath>

#include "ctscale/fit/statistics.hpp"

using namespace ctscale::fit;

TEST(Statistics, MedianSkipsNaNAndAveragesTheMiddlePair) {
    EXPECT_EQ(median({3, 1, 2}), 2);
    EXPECT_EQ(median({4, 1, NAN, 3, 2}), 2.5);
    EXPECT_TRUE(std::isnan(median({NAN})));
}

TEST(Statistics, PearsonAgreesWithScipy) {
    // scipy.stats.pearsonr([1..6], [2, 1.5, 3.7, 3.9, 6.1, 5]) = (0.8884677161682208, 0.017965475352264934)
    const Correlation c = pearson({1, 2, 3, 4, 5, 6}, {2.0, 1.5, 3.7, 3.9, 6.1, 5.0});
    EXPECT_NEAR(c.r, 0.8884677161682208, 1e-14);
    EXPECT_NEAR(c.p_value, 0.017965475352264934, 1e-12);
    EXPECT_TRUE(std::isnan(pearson({1, 2}, {3, 4}).r));              // fewer than 3
    EXPECT_TRUE(std::isnan(pearson({1, 2, 3}, {5, 5, 5}).p_value));  // zero variance
}

TEST(Statistics, SpearmanUsesAverageRanksForTies) {
    // scipy.stats.spearmanr([1, 2, 2, 3, 4], [10, 20, 20, 15, 40]) = 0.6842105263157895
    EXPECT_NEAR(spearman({1, 2, 2, 3, 4}, {10, 20, 20, 15, 40}), 0.6842105263157895, 1e-14);
    EXPECT_NEAR(spearman({0, 1, 2}, {3, 2, 1}), -1.0, 1e-15);
}

TEST(Statistics, SampleStdAndParticipationRatio) {
    EXPECT_NEAR(sample_std({1, 2, 3, 4}), std::sqrt(5.0 / 3.0), 1e-15);
    EXPECT_TRUE(std::isnan(sample_std({1})));
    EXPECT_NEAR(participation_ratio({1, 1, 1, 1}), 4.0, 1e-15);
    EXPECT_NEAR(participation_ratio({2, 0, 0}), 1.0, 1e-15);
    EXPECT_TRUE(std::isnan(participation_ratio({0, 0})));
}
