// Idle ranks lend their cores to the solving ranks of their node (spectral/core_loan.hpp).
#include <gtest/gtest.h>
#include <mpi.h>
#include <sched.h>

#include <vector>

#include <boost/mpi/communicator.hpp>

#include "ctscale/linalg/blas.hpp"
#include "ctscale/mpi/node.hpp"
#include "ctscale/spectral/core_loan.hpp"

using namespace ctscale;

namespace {

cpu_set_t affinity() {
    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    EXPECT_EQ(sched_getaffinity(0, sizeof cpus, &cpus), 0);
    return cpus;
}

/// Binds this rank to one CPU (rank mod CPUs), as mpirun --bind-to core would.
cpu_set_t bind_to_one_cpu(int rank) {
    const cpu_set_t all = affinity();
    std::vector<int> available;
    for (int c = 0; c < CPU_SETSIZE; ++c) {
        if (CPU_ISSET(c, &all)) available.push_back(c);
    }
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(available[static_cast<std::size_t>(rank) % available.size()], &one);
    EXPECT_EQ(sched_setaffinity(0, sizeof one, &one), 0);
    return all;
}

}  // namespace

TEST(CoreLoan, IdleRanksOfTheNodeLendTheirCoresToTheSolversRoundRobin) {
    boost::mpi::communicator world;
    const boost::mpi::communicator node = ctscale::mpi::node_ranks(world);
    ASSERT_EQ(node.size(), world.size());  // the tests run on one machine
    const cpu_set_t original = bind_to_one_cpu(world.rank());
    const cpu_set_t bound = affinity();
    linalg::set_blas_threads(1);
    for (int solvers = 1; solvers <= world.size(); ++solvers) {
        const bool solving = world.rank() < solvers;
        {
            const spectral::CoreLoan loan(node, solving);
            // Idle ranks solvers, solvers+1, … go to solvers 0, 1, … in turn.
            int lenders = 0;
            cpu_set_t expected = bound;
            std::vector<cpu_set_t> everyone(static_cast<std::size_t>(world.size()));
            MPI_Allgather(&bound, sizeof bound, MPI_BYTE, everyone.data(), sizeof bound, MPI_BYTE, world);
            for (int idle = solvers; idle < world.size(); ++idle) {
                if (solving && (idle - solvers) % solvers == world.rank()) {
                    ++lenders;
                    CPU_OR(&expected, &expected, &everyone[static_cast<std::size_t>(idle)]);
                }
            }
            EXPECT_EQ(loan.threads(), solving ? 1 + lenders : 1) << solvers << " solvers";
            const cpu_set_t during = affinity();
            EXPECT_TRUE(CPU_EQUAL(&during, &expected)) << solvers << " solvers, rank " << world.rank();
        }
        const cpu_set_t after = affinity();
        EXPECT_TRUE(CPU_EQUAL(&after, &bound)) << "affinity restored";
    }
    sched_setaffinity(0, sizeof original, &original);
}
