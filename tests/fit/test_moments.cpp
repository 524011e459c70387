#include <gtest/gtest.h>

#include <random>

#include "ctscale/fit/moments.hpp"

using ctscale::fit::CoMoments;

TEST(CoMoments, AnySplitAndMergeOrderGivesTheOnePassCovariance) {
    const std::int64_t rows = 101, k = 3;
    std::mt19937_64 random(11);
    std::normal_distribution<double> normal(5.0, 2.0);  // offset mean: tests the centring
    std::vector<double> values(rows * k);
    for (auto& v : values) v = normal(random);

    std::vector<double> mean(k, 0.0), reference(k * k, 0.0);
    for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t c = 0; c < k; ++c) mean[c] += values[r * k + c] / rows;
    for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t i = 0; i < k; ++i)
            for (std::int64_t j = 0; j < k; ++j)
                reference[j * k + i] += (values[r * k + i] - mean[i]) * (values[r * k + j] - mean[j]) / (rows - 1);

    CoMoments whole(k);
    whole.add_rows(values.data(), rows, k);
    CoMoments first(k), second(k), third(k);
    first.add_rows(values.data(), 1, k);
    second.add_rows(values.data() + k, 60, k);
    second.add_rows(values.data() + 61 * k, 0, k);
    third.add_rows(values.data() + 61 * k, 40, k);
    third.merge(CoMoments(k));  // merging an empty share changes nothing
    second.merge(third);
    first.merge(second);
    for (const CoMoments* m : {&whole, &first}) {
        EXPECT_EQ(m->count, rows);
        const auto c = m->covariance();
        for (std::int64_t i = 0; i < k * k; ++i)
            EXPECT_NEAR(c[i], reference[i], 1e-12 * std::abs(reference[i]) + 1e-13);
    }

    // A column slice of wider rows (leading dimension k + 2) gives the same moments.
    std::vector<double> wide(rows * (k + 2), -7.0);
    for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t c = 0; c < k; ++c) wide[r * (k + 2) + 1 + c] = values[r * k + c];
    CoMoments strided(k);
    strided.add_rows(wide.data() + 1, rows, k + 2);
    for (std::int64_t i = 0; i < k * k; ++i) EXPECT_NEAR(strided.m2[i], whole.m2[i], 1e-12 * std::abs(whole.m2[i]));

    std::vector<double> packed;
    first.pack(packed);
    const double* cursor = packed.data();
    const CoMoments unpacked = CoMoments::unpack(cursor, k);
    EXPECT_EQ(cursor, packed.data() + packed.size());
    EXPECT_EQ(unpacked.m2, first.m2);
}

// The fit adds a matrix's rows block by block (blocks of any size, down to one row); each
// block is merged into the running share in place. A mean far from zero checks the centring.
TEST(CoMoments, BlocksAddedInTurnGiveTheOnePassCovariance) {
    const std::int64_t rows = 200, k = 7;
    std::mt19937_64 random(5);
    std::normal_distribution<double> normal(1e3, 2.0);
    std::vector<double> values(rows * k);
    for (auto& v : values) v = normal(random);
    std::vector<double> mean(k, 0.0), reference(k * k, 0.0);
    for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t c = 0; c < k; ++c) mean[c] += values[r * k + c] / rows;
    for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t i = 0; i < k; ++i)
            for (std::int64_t j = 0; j < k; ++j)
                reference[j * k + i] += (values[r * k + i] - mean[i]) * (values[r * k + j] - mean[j]) / (rows - 1);

    CoMoments blocks(k);
    std::int64_t first = 0;
    for (const std::int64_t size : {1, 5, 38, 0, 2, 100, 1, 53}) {
        blocks.add_rows(values.data() + first * k, size, k);
        first += size;
    }
    ASSERT_EQ(first, rows);
    EXPECT_EQ(blocks.count, rows);
    for (std::int64_t c = 0; c < k; ++c) EXPECT_NEAR(blocks.mean[c], mean[c], 1e-12 * std::abs(mean[c]));
    const auto c = blocks.covariance();
    for (std::int64_t i = 0; i < k; ++i) {
        for (std::int64_t j = 0; j < k; ++j) {
            EXPECT_NEAR(c[j * k + i], reference[j * k + i], 1e-12 * std::abs(reference[j * k + i]) + 1e-12);
            EXPECT_EQ(c[j * k + i], c[i * k + j]) << "symmetric";
        }
    }
}
