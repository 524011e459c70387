#include "ctscale/mpi/sleeping_barrier.hpp"

#include <algorithm>
#include <thread>

namespace ctscale::mpi {

bool sleeping_barrier(MPI_Comm comm, std::chrono::steady_clock::duration timeout) {
    using Clock = std::chrono::steady_clock;
    MPI_Request request;
    if (MPI_Ibarrier(comm, &request) != MPI_SUCCESS) return false;
    const Clock::time_point start = Clock::now();
    auto pause = std::chrono::microseconds(20);
    for (;;) {
        int done = 0;
        if (MPI_Test(&request, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS) return false;
        if (done) return true;
        if (Clock::now() - start >= timeout) return false;  // the request is abandoned: MPI is about to abort
        std::this_thread::sleep_for(pause);
        pause = std::min<std::chrono::microseconds>(2 * pause, std::chrono::milliseconds(2));
    }
}

}  // namespace ctscale::mpi
