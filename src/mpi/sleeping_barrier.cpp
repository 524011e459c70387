#include "ctscale/mpi/sleeping_barrier.hpp"

#include <algorithm>
#include <thread>

namespace ctscale::mpi {

bool sleeping_wait(MPI_Request& request, std::chrono::steady_clock::duration timeout,
                   std::chrono::microseconds longest_sleep) {
    using Clock = std::chrono::steady_clock;
    const Clock::time_point start = Clock::now();
    // A collective whose ranks are all running completes within the spin; only a rank that
    // waits for others (or for a core) goes on to sleep.
    constexpr auto spin = std::chrono::microseconds(50);
    auto pause = std::chrono::microseconds(20);
    for (;;) {
        int done = 0;
        if (MPI_Test(&request, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS) return false;
        if (done) return true;
        const auto waited = Clock::now() - start;
        if (waited >= timeout) return false;  // the request is abandoned: MPI is about to abort
        if (waited < spin) continue;
        std::this_thread::sleep_for(pause);
        pause = std::min(2 * pause, longest_sleep);
    }
}

bool sleeping_barrier(MPI_Comm comm, std::chrono::steady_clock::duration timeout) {
    MPI_Request request;
    if (MPI_Ibarrier(comm, &request) != MPI_SUCCESS) return false;
    return sleeping_wait(request, timeout);
}

}  // namespace ctscale::mpi
