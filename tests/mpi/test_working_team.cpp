#include <gtest/gtest.h>

#include <boost/mpi/collectives.hpp>
#include <boost/mpi/communicator.hpp>

#include "ctscale/error.hpp"
#include "ctscale/mpi/working_team.hpp"

using namespace ctscale;

TEST(WorkingRankCount, OneRankPerShareWithinOneAndTheLaunchedRanks) {
    EXPECT_EQ(mpi::working_rank_count(0, 8, 256), 1);  // nothing to read: one rank reports it
    EXPECT_EQ(mpi::working_rank_count(8, 8, 256), 1);
    EXPECT_EQ(mpi::working_rank_count(9, 8, 256), 2);  // a started share counts
    EXPECT_EQ(mpi::working_rank_count(8 * 300, 8, 256), 256);
    EXPECT_EQ(mpi::working_rank_count(-1, 8, 4), 1);   // an unreadable size
    EXPECT_EQ(mpi::working_rank_count(1, 0, 64), 64);  // --min-work-per-rank 0: every rank
}

/// Work for two ranks: on 3 and 4 ranks the last ones wait; on 1 and 2 every rank works.
TEST(WorkingTeam, TheFirstRanksWorkOnTheirOwnCommunicatorAndTheOthersLearnTheOutcome) {
    boost::mpi::communicator world;
    // Only rank 0's view of the input counts: the others pass nonsense.
    const mpi::WorkingTeam team(world, world.rank() == 0 ? 15 : 1000, 8);
    const int expected = std::min(2, world.size());
    EXPECT_EQ(team.size(), expected);
    EXPECT_EQ(team.working(), world.rank() < expected);
    if (team.working()) {
        EXPECT_EQ(team.comm().size(), expected);
        EXPECT_EQ(team.comm().rank(), world.rank());
        EXPECT_EQ(boost::mpi::all_reduce(team.comm(), 1, std::plus<int>()), expected);  // the team alone
        team.announce_outcome(0);
    } else {
        EXPECT_EQ(team.await_outcome(), 0);
    }
}

TEST(WorkingTeam, AFailedRunEndsEveryWaitingRankWithItsExitCode) {
    boost::mpi::communicator world;
    const mpi::WorkingTeam team(world, world.rank() == 0 ? 1 : 0, 8);
    ASSERT_EQ(team.size(), 1);
    if (team.working()) {
        team.announce_outcome(2);
    } else {
        try {
            team.await_outcome();
            ADD_FAILURE() << "rank " << world.rank() << " was not told of the failure";
        } catch (const Error& e) {
            EXPECT_EQ(e.exit_code(), 2);
        }
    }
}
