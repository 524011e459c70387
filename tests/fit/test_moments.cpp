#include <gtest/gtest.h>

#include <random>

#include "ctscale/fit/moments.hpp"

using ctscale::fit::CoMoments;

namespace {

/// rows × k normal values (row-major) around `centre`, a mean away from zero: tests the centring.
std::vector<double> normal_values(std::int64_t rows, std::int64_t k, unsigned seed, double centre) {
    std::mt19937_64 random(seed);
    std::normal_distribution<double> normal(centre, 2.0);
    std::vector<double> values(rows * k);
    for (auto& v : values) v = normal(random);
    return values;
}

/// The column means and the covariance (column-major k × k) in one direct pass.
struct OnePass {
    std::vector<double> mean, covariance;
};
OnePass one_pass(const std::vector<double>& values, std::int64_t rows, std::int64_t k) {
    OnePass out{std::vector<double>(k, 0.0), std::vector<double>(k * k, 0.0)};
    for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t c = 0; c < k; ++c) out.mean[c] += values[r * k + c] / rows;
    for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t i = 0; i < k; ++i)
            for (std::int64_t j = 0; j < k; ++j)
                out.covariance[j * k + i] +=
                    (values[r * k + i] - out.mean[i]) * (values[r * k + j] - out.mean[j]) / (rows - 1);
    return out;
}

}  // namespace

TEST(CoMoments, AnySplitAndMergeOrderGivesTheOnePassCovariance) {
    const std::int64_t rows = 101, k = 3;
    const std::vector<double> values = normal_values(rows, k, 11, 5.0);
    const std::vector<double> reference = one_pass(values, rows, k).covariance;

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
    const std::vector<double> values = normal_values(rows, k, 5, 1e3);
    const auto [mean, reference] = one_pass(values, rows, k);

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
