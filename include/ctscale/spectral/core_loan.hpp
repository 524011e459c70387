#pragma once
// Cores lent by idle ranks to the ranks that solve. In the full mode of a large matrix one
// rank of the group does the dense eigensolve while the others wait for it (sleeping, not
// spinning: spectral_stage.cpp); their cores then serve the solver's threads. For a large
// Gram that speeds up the first stage of the reduction markedly, the second less reliably
// (all_eigenvalues.hpp; BENCHMARKS.md, "Design measurements").
#include <sched.h>

#include <boost/mpi/communicator.hpp>

namespace ctscale::spectral {

/// Collective over the ranks of one node (`node`, from MPI_COMM_TYPE_SHARED): while it
/// lives, each solving rank may run threads() BLAS threads — its own plus as many again
/// per idle rank of the node lent to it (idle ranks go to the solvers in node-rank order, round robin) —
/// and its CPU affinity covers the lenders' cores too (ranks bound to cores would otherwise
/// stack every thread on the solver's one core). The count depends only on which ranks
/// solve and how ranks share nodes, so runs with the same layout stay bitwise identical.
/// The affinity is restored when it ends.
class CoreLoan {
public:
    CoreLoan(const boost::mpi::communicator& node, bool solving);
    ~CoreLoan();
    CoreLoan(const CoreLoan&) = delete;
    CoreLoan& operator=(const CoreLoan&) = delete;

    /// BLAS threads for this rank's solve (the rank's own count when nothing is lent).
    int threads() const { return threads_; }

private:
    int threads_ = 1;
    bool widened_ = false;
    cpu_set_t own_{};
};

}  // namespace ctscale::spectral
