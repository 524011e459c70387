#include "ctscale/mpi/collective.hpp"

#include <mpi.h>

#include <boost/mpi/collectives.hpp>
#include <string>

#include "ctscale/error.hpp"
#include "ctscale/mpi/sleeping_barrier.hpp"

namespace ctscale::mpi {

void check(int rc, const char* call) {
    if (rc == MPI_SUCCESS) return;
    char text[MPI_MAX_ERROR_STRING];
    int length = 0;
    MPI_Error_string(rc, text, &length);
    throw LibraryError(std::string("MPI call failed: ") + call + ": " + std::string(text, length));
}

void wait_sleeping(MPI_Request& request, const char* call) {
    if (!sleeping_wait(request)) throw LibraryError(std::string("MPI call failed: MPI_Test on ") + call);
}

void allreduce_sleeping(const int* local, int* global, MPI_Op op, const boost::mpi::communicator& comm) {
    MPI_Request request;
    CTSCALE_MPI(MPI_Iallreduce(local, global, 1, MPI_INT, op, comm, &request));
    wait_sleeping(request, "MPI_Iallreduce");
}

bool any_rank(const boost::mpi::communicator& comm, bool flag) {
    int local = flag ? 1 : 0;
    int global = 0;
    allreduce_sleeping(&local, &global, MPI_MAX, comm);
    return global != 0;
}

void all_or_nothing(const boost::mpi::communicator& comm, const std::function<void()>& local_work) {
    std::string message;
    int code = 0;
    try {
        local_work();
    } catch (const Error& e) {
        message = e.what();
        code = e.exit_code();
    }
    // Lowest failing rank, or comm.size() when every rank succeeded.
    int local = code ? comm.rank() : comm.size();
    int first = comm.size();
    allreduce_sleeping(&local, &first, MPI_MIN, comm);
    if (first == comm.size()) return;
    boost::mpi::broadcast(comm, message, first);
    boost::mpi::broadcast(comm, code, first);
    if (code == 2) throw UsageError(message);
    throw InputError(message);
}

}  // namespace ctscale::mpi
