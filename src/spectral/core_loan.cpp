#include "ctscale/spectral/core_loan.hpp"

#include <mpi.h>

#include <algorithm>
#include <vector>

#include "ctscale/linalg/blas.hpp"
#include "ctscale/mpi/collective.hpp"

namespace ctscale::spectral {
namespace {

struct Member {
    int solving;
    cpu_set_t cpus;  // empty when the affinity could not be read
};

}  // namespace

CoreLoan::CoreLoan(const boost::mpi::communicator& node, bool solving) {
    Member me{solving ? 1 : 0, {}};
    CPU_ZERO(&me.cpus);
    if (sched_getaffinity(0, sizeof me.cpus, &me.cpus) != 0) CPU_ZERO(&me.cpus);
    std::vector<Member> members(static_cast<std::size_t>(node.size()));
    CTSCALE_MPI(MPI_Allgather(&me, sizeof(Member), MPI_BYTE, members.data(), sizeof(Member), MPI_BYTE, node));
    if (!solving) return;
    const int base = linalg::blas_threads();  // per rank: what each lender brings too
    threads_ = base;
    std::vector<int> solvers, idle;
    for (int r = 0; r < node.size(); ++r) (members[static_cast<std::size_t>(r)].solving ? solvers : idle).push_back(r);
    const auto position =
        static_cast<std::size_t>(std::find(solvers.begin(), solvers.end(), node.rank()) - solvers.begin());
    cpu_set_t wide = me.cpus;
    for (std::size_t i = position; i < idle.size(); i += solvers.size()) {
        CPU_OR(&wide, &wide, &members[static_cast<std::size_t>(idle[i])].cpus);
        threads_ += base;
    }
    if (threads_ == base || CPU_COUNT(&me.cpus) == 0) return;
    own_ = me.cpus;
    // Threads OpenBLAS starts from now on inherit this affinity.
    widened_ = sched_setaffinity(0, sizeof wide, &wide) == 0;
}

CoreLoan::~CoreLoan() {
    if (widened_) sched_setaffinity(0, sizeof own_, &own_);
}

}  // namespace ctscale::spectral
