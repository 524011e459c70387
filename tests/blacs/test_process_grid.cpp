// BLACS process grids: shape choice, membership and coordinates on 1..4 ranks, and that
// grids come and go without exhausting BLACS (contexts and system handles are freed).
#include <gtest/gtest.h>

#include <boost/mpi/collectives.hpp>
#include <boost/mpi/communicator.hpp>

#include "ctscale/blacs/process_grid.hpp"
#include "ctscale/error.hpp"

using namespace ctscale;

TEST(NearSquareShape, MostRanksWithAtMostThreeColumnsPerRow) {
    const std::vector<std::tuple<int, int, int>> expected = {
        {1, 1, 1}, {2, 1, 2},  {3, 1, 3},  {4, 2, 2},  {5, 2, 2},  {6, 2, 3},  {7, 2, 3},    {8, 2, 4},
        {9, 3, 3}, {10, 2, 5}, {12, 3, 4}, {16, 4, 4}, {17, 4, 4}, {64, 8, 8}, {256, 16, 16}};
    for (auto [p, rows, cols] : expected) {
        const blacs::GridShape s = blacs::near_square_shape(p);
        EXPECT_EQ(s.rows, rows) << p;
        EXPECT_EQ(s.cols, cols) << p;
    }
    EXPECT_EQ(blacs::near_square_shape(6).label(), "2x3");
}

TEST(ProcessGrid, RanksBeyondTheShapeAreOutside) {
    boost::mpi::communicator world;
    const blacs::GridShape shape = blacs::near_square_shape(world.size());
    blacs::ProcessGrid grid(world, shape);
    const bool inside = world.rank() < shape.size();
    EXPECT_EQ(grid.contains_me(), inside);
    if (inside) {
        EXPECT_EQ(grid.my_row(), world.rank() / shape.cols);  // row-major
        EXPECT_EQ(grid.my_col(), world.rank() % shape.cols);
        EXPECT_EQ(grid.communicator().size(), shape.size());
        EXPECT_EQ(grid.communicator().rank(), world.rank());
    } else {
        EXPECT_EQ(grid.my_row(), -1);
        EXPECT_FALSE(static_cast<bool>(grid.communicator()));
    }
    // One process only: every other rank is outside.
    blacs::ProcessGrid first(world, {1, 1});
    EXPECT_EQ(first.contains_me(), world.rank() == 0);
}

TEST(ProcessGrid, MovesKeepTheContextAndLeaveNone) {
    boost::mpi::communicator world;
    blacs::ProcessGrid a(world, {world.size(), 1});
    const int context = a.context();
    blacs::ProcessGrid b(std::move(a));
    EXPECT_EQ(b.context(), context);
    EXPECT_FALSE(a.contains_me());  // NOLINT: moved-from is "no grid"
    blacs::ProcessGrid none;
    EXPECT_FALSE(none.contains_me());
}

TEST(ProcessGrid, ManyGridsComeAndGo) {
    boost::mpi::communicator world;
    for (int i = 0; i < 200; ++i) {
        blacs::ProcessGrid line(world, {1, world.size()});
        blacs::ProcessGrid self(boost::mpi::communicator(MPI_COMM_SELF, boost::mpi::comm_attach), {1, 1});
        ASSERT_TRUE(line.contains_me());
        ASSERT_TRUE(self.contains_me());
    }
}

TEST(ProcessGrid, ShapeLargerThanTheCommunicatorIsRefusedOnEveryRank) {
    boost::mpi::communicator world;
    EXPECT_THROW(blacs::ProcessGrid(world, {world.size() + 1, 1}), UsageError);
    EXPECT_THROW(blacs::ProcessGrid(world, {0, 1}), UsageError);
}
