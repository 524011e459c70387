#include "ctscale/mpi/trace.hpp"

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace ctscale::mpi::trace {
namespace {

double wall_now() { return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(); }

/// Seconds since this process was created (/proc/self/stat's start time, in clock ticks
/// since boot, against CLOCK_BOOTTIME); -1 where that is not available.
double seconds_since_exec() {
    std::ifstream stat("/proc/self/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const auto close = text.rfind(')');  // the command name may hold spaces
    if (close == std::string::npos) return -1;
    const char* p = text.c_str() + close + 2;
    for (int field = 3; field < 22 && *p; ++field) p = std::strchr(p, ' ') ? std::strchr(p, ' ') + 1 : "";
    const double start = std::strtod(p, nullptr) / static_cast<double>(sysconf(_SC_CLK_TCK));
    timespec boot{};
    if (start <= 0 || clock_gettime(CLOCK_BOOTTIME, &boot) != 0) return -1;
    return static_cast<double>(boot.tv_sec) + 1e-9 * static_cast<double>(boot.tv_nsec) - start;
}

struct State {
    bool on = false;
    std::vector<const char*> names;
    std::vector<double> starts;  ///< Unix time at which each phase began
    double since_exec = -1, since_launch = -1;
};

State& state() {
    static State s = [] {
        State init;
        const char* value = std::getenv("CTSCALE_TRACE");
        init.on = value && *value && std::strcmp(value, "0") != 0;
        return init;
    }();
    return s;
}

}  // namespace

bool enabled() { return state().on; }

void phase(const char* name) {
    State& s = state();
    if (!s.on) return;
    const double now = wall_now();
    if (s.names.empty()) {
        s.since_exec = seconds_since_exec();
        if (const char* t0 = std::getenv("CTSCALE_TRACE_T0")) s.since_launch = now - std::strtod(t0, nullptr);
    }
    s.names.push_back(name);
    s.starts.push_back(now);
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (initialized) MPI_Pcontrol(1, name);
}

void report(MPI_Comm comm) {
    State& s = state();
    if (!s.on) return;
    const double end = wall_now();
    // Per rank: exec → first phase, launch → first phase, each phase, then the end's Unix time.
    std::vector<double> local{s.since_exec, s.since_launch};
    for (std::size_t i = 0; i < s.names.size(); ++i)
        local.push_back((i + 1 < s.starts.size() ? s.starts[i + 1] : end) - s.starts[i]);
    int count = static_cast<int>(local.size()), fewest = 0, rank = 0;
    MPI_Comm_rank(comm, &rank);
    MPI_Allreduce(&count, &fewest, 1, MPI_INT, MPI_MIN, comm);
    std::vector<double> most(local.size());
    MPI_Reduce(local.data(), most.data(), fewest, MPI_DOUBLE, MPI_MAX, 0, comm);
    if (rank != 0) return;
    std::fprintf(stderr, "ctscale trace: %-24s %9s %9s\n", "phase", "rank 0 s", "max s");
    const char* before[] = {"(exec to first phase)", "(launch to first phase)"};
    for (int i = 0; i < fewest; ++i) {
        if (i < 2 && local[i] < 0) continue;
        std::fprintf(stderr, "ctscale trace: %-24s %9.3f %9.3f\n", i < 2 ? before[i] : s.names[i - 2], local[i],
                     most[i]);
    }
    std::fprintf(stderr, "ctscale trace: end at %.3f (Unix time, rank 0)\n", end);
}

}  // namespace ctscale::mpi::trace
