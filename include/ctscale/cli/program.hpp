#pragma once
/// The common `main` of every ctscale program: MPI environment, HDF5 error silencing,
/// one error line on rank 0 and the docs/programs.md exit codes (0 ok, 1 runtime, 2 usage).
#include <boost/mpi/communicator.hpp>
#include <functional>
#include <string>
#include <vector>

namespace ctscale::cli {

using ProgramBody = std::function<int(const boost::mpi::communicator& world, const std::vector<std::string>& args)>;

/// Runs `body` on every rank. An Error thrown on every rank (agreed through
/// mpi::all_or_nothing or decided from the command line) is printed once by rank 0 as
/// "program: error: message". An error thrown on some ranks only cannot be agreed any
/// more: that rank prints it and aborts the job rather than leave the others hanging.
int run_program(const std::string& program, int argc, char** argv, const ProgramBody& body);

/// Text for --version.
std::string version_text(const std::string& program);

}  // namespace ctscale::cli
