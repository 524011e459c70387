// ctscale-mpi: Gaussian-amplitude fits, R², amplitude PR, norms and compression of every
// weight matrix of a checkpoint, row-partitioned over MPI ranks.
#include <iostream>

#include "ctscale/app/analysis.hpp"
#include "ctscale/cli/program.hpp"

namespace {

int mpi_main(const boost::mpi::communicator& world, const std::vector<std::string>& args) {
    using namespace ctscale::app;
    RunOptions options;
    std::string help;
    switch (parse_run_options(args, options, help)) {
        case Action::help:
            if (world.rank() == 0) std::cout << help;
            return 0;
        case Action::version:
            if (world.rank() == 0) std::cout << ctscale::cli::version_text("ctscale-mpi") << "\n";
            return 0;
        case Action::run: break;
    }
    return run_analysis(options, world);
}

}  // namespace

int main(int argc, char** argv) { return ctscale::cli::run_program("ctscale-mpi", argc, argv, mpi_main); }
