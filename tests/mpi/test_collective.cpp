#include <gtest/gtest.h>

#include <boost/mpi/communicator.hpp>

#include "ctscale/error.hpp"
#include "ctscale/mpi/collective.hpp"

using namespace ctscale;

TEST(AllOrNothing, AnErrorOnTheLastRankIsThrownOnEveryRank) {
    boost::mpi::communicator world;
    try {
        mpi::all_or_nothing(world, [&] {
            if (world.rank() == world.size() - 1) throw InputError("bad dataset on the last rank");
        });
        ADD_FAILURE() << "no error was raised on rank " << world.rank();
    } catch (const InputError& e) {
        EXPECT_STREQ(e.what(), "bad dataset on the last rank");
    }
}

TEST(AllOrNothing, TheLowestFailingRankWinsAndUsageErrorsKeepExitCode2) {
    boost::mpi::communicator world;
    try {
        mpi::all_or_nothing(world, [&] { throw UsageError("rank " + std::to_string(world.rank())); });
        ADD_FAILURE();
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(), "rank 0");
        EXPECT_EQ(e.exit_code(), 2);
    }
}

TEST(AllOrNothing, SuccessEverywhereThrowsNothing) {
    boost::mpi::communicator world;
    EXPECT_NO_THROW(mpi::all_or_nothing(world, [] {}));
    EXPECT_EQ(mpi::any_rank(world, world.rank() == 0), true);
    EXPECT_EQ(mpi::any_rank(world, false), false);
}
