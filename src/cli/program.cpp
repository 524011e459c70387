#include "ctscale/cli/program.hpp"

#include <hdf5.h>
#include <mpi.h>

#include <boost/mpi/environment.hpp>
#include <chrono>
#include <cstdio>

#include "ctscale/error.hpp"
#include "ctscale/hdf5/handle.hpp"
#include "ctscale/mpi/sleeping_barrier.hpp"
#include "ctscale/mpi/trace.hpp"

#ifndef CTSCALE_VERSION
#define CTSCALE_VERSION "unknown"
#endif

namespace ctscale::cli {
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
    mpi::trace::phase("mpi_init");
    boost::mpi::environment environment(argc, argv, false);
    mpi::trace::phase("options");
    boost::mpi::communicator world;
    hdf5::silence_error_stack();
    std::vector<std::string> args(argv + 1, argv + argc);
    try {
        return body(world, args);
    } catch (const Error& e) {
        // Every rank failed together: one message from rank 0. Else this rank aborts the job.
        if (mpi::sleeping_barrier(world, std::chrono::seconds(10))) {
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

}  // namespace ctscale::cli
