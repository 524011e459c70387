#include "ctscale/app/program.hpp"

#include <hdf5.h>
#include <mpi.h>

#include <boost/mpi/environment.hpp>
#include <chrono>
#include <cstdio>
#include <thread>

#include "ctscale/error.hpp"
#include "ctscale/hdf5/handle.hpp"

#ifndef CTSCALE_VERSION
#define CTSCALE_VERSION "unknown"
#endif

namespace ctscale::app {
namespace {

/// True when every rank reaches this point within `timeout` (all ranks failed together).
bool all_ranks_arrive(MPI_Comm comm, std::chrono::seconds timeout) {
    MPI_Request request;
    if (MPI_Ibarrier(comm, &request) != MPI_SUCCESS) return false;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int done = 0;
    while (std::chrono::steady_clock::now() < deadline) {
        MPI_Test(&request, &done, MPI_STATUS_IGNORE);
        if (done) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
}

}  // namespace

std::string version_text(const std::string& program) {
    unsigned major = 0, minor = 0, release = 0;
    H5get_libversion(&major, &minor, &release);
    char mpi_version[MPI_MAX_LIBRARY_VERSION_STRING];
    int length = 0;
    MPI_Get_library_version(mpi_version, &length);
    std::string mpi(mpi_version, length);
    mpi = mpi.substr(0, mpi.find_first_of(",\n"));
    return program + " " + CTSCALE_VERSION + " (HDF5 " + std::to_string(major) + "." + std::to_string(minor) + "." +
           std::to_string(release) + ", " + mpi + ")";
}

int run_program(const std::string& program, int argc, char** argv, const ProgramBody& body) {
    boost::mpi::environment environment(argc, argv, false);
    boost::mpi::communicator world;
    hdf5::silence_error_stack();
    std::vector<std::string> args(argv + 1, argv + argc);
    try {
        return body(world, args);
    } catch (const Error& e) {
        if (all_ranks_arrive(world, std::chrono::seconds(10))) {
            if (world.rank() == 0) std::fprintf(stderr, "%s: error: %s\n", program.c_str(), e.what());
            return e.exit_code();
        }
        std::fprintf(stderr, "%s: error (rank %d): %s\n", program.c_str(), world.rank(), e.what());
        std::fflush(stderr);
        MPI_Abort(world, e.exit_code());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: internal error (rank %d): %s\n", program.c_str(), world.rank(), e.what());
        std::fflush(stderr);
        MPI_Abort(world, 1);
    }
    return 1;
}

}  // namespace ctscale::app
