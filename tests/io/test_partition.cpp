#include <gtest/gtest.h>

#include "ctscale/io/partition.hpp"

using ctscale::io::RowPartition;
using ctscale::io::SubBlocks;

namespace {

void expect_counts(std::int64_t rows, int ranks, std::vector<std::int64_t> counts) {
    std::int64_t next = 0;
    for (int r = 0; r < ranks; ++r) {
        RowPartition p{rows, ranks, r};
        EXPECT_EQ(p.count(), counts[r]) << rows << " rows, rank " << r << " of " << ranks;
        EXPECT_EQ(p.first(), next) << "rows must be contiguous in rank order";
        for (std::int64_t row = p.first(); row < p.first() + p.count(); ++row) EXPECT_EQ(p.owner(row), r);
        next += p.count();
    }
    EXPECT_EQ(next, rows);
}

}  // namespace

TEST(RowPartition, CeilBlocksLikeScalapack) {
    expect_counts(10, 3, {4, 4, 2});
    expect_counts(10, 4, {3, 3, 3, 1});
    expect_counts(12, 4, {3, 3, 3, 3});
    expect_counts(1, 1, {1});
}

TEST(RowPartition, TrailingRanksMayOwnNothing) {
    expect_counts(9, 4, {3, 3, 3, 0});  // ⌈9/4⌉ = 3 leaves the last rank empty
    expect_counts(2, 4, {1, 1, 0, 0});  // more ranks than rows
    expect_counts(5, 8, {1, 1, 1, 1, 1, 0, 0, 0});
}

TEST(RowPartition, BlockIsAValidDescriptorBlockEvenWithoutRows) {
    EXPECT_EQ((RowPartition{0, 4, 0}.block()), 1);
    EXPECT_EQ((RowPartition{0, 4, 3}.count()), 0);
}

TEST(SubBlocks, EveryRankTakesTheStepsOfTheLargestShare) {
    RowPartition first{10, 3, 0}, last{10, 3, 2};
    SubBlocks plan = SubBlocks::plan(first, 3 * 100, 100);  // 3 rows per step
    EXPECT_EQ(plan.rows_per_step, 3);
    EXPECT_EQ(plan.steps, 2);  // ⌈4/3⌉ for every rank
    EXPECT_EQ(SubBlocks::plan(last, 300, 100).steps, 2);
    EXPECT_EQ(plan.count(0, last.count()), 2);
    EXPECT_EQ(plan.count(1, last.count()), 0);  // joins the collective read empty
    EXPECT_EQ(plan.count(1, first.count()), 1);
}

TEST(SubBlocks, ATinyBudgetStillReadsOneRowPerStep) {
    SubBlocks plan = SubBlocks::plan(RowPartition{7, 2, 0}, 1, 1000);
    EXPECT_EQ(plan.rows_per_step, 1);
    EXPECT_EQ(plan.steps, 4);
}
