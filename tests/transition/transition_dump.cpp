// transition_dump TOKENS.h5 OUT.json V,V,... [--default] [--seed N] [--full] [--h5 OUT.h5]:
// runs the transition stage and writes its results as JSON on rank 0 (and, with --h5, a
// file holding /transition as the results file has it), for the NumPy
// reference comparison (test_transition_reference.py). The V list is explicit unless
// --default. Errors: one line "transition_dump: error: ..." on rank 0, the exit code of
// the error (1 input, 2 usage); a dropped-V warning as "transition_dump: warning: ...".
#include <boost/mpi/communicator.hpp>
#include <boost/mpi/environment.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "ctscale/app/results_file.hpp"
#include "ctscale/error.hpp"
#include "ctscale/hdf5/file.hpp"
#include "ctscale/transition/transition_report.hpp"

using namespace ctscale;

int main(int argc, char** argv) {
    boost::mpi::environment environment(argc, argv, false);
    boost::mpi::communicator world;
    hdf5::silence_error_stack();
    if (argc < 4) {
        if (world.rank() == 0) std::fprintf(stderr, "usage: transition_dump TOKENS OUT.json V,V,.. [options]\n");
        return 2;
    }
    bool explicit_list = true, full = false;
    std::uint64_t seed = 0;
    std::string h5;
    for (int a = 4; a < argc; ++a) {
        const std::string arg = argv[a];
        if (arg == "--default")
            explicit_list = false;
        else if (arg == "--full")
            full = true;
        else if (arg == "--seed" && a + 1 < argc)
            seed = std::stoull(argv[++a]);
        else if (arg == "--h5" && a + 1 < argc)
            h5 = argv[++a];
    }
    std::vector<std::int64_t> sizes;
    std::stringstream list(argv[3]);
    for (std::string item; std::getline(list, item, ',');) sizes.push_back(std::stoll(item));
    try {
        const auto results = transition::run_transition_stage(argv[1], sizes, explicit_list, seed, full, world);
        if (world.rank() != 0) return 0;
        if (!results.warning.empty()) std::fprintf(stderr, "transition_dump: warning: %s\n", results.warning.c_str());
        nlohmann::json out = transition::transition_json(results);
        out["ranks"] = world.size();
        for (std::size_t k = 0; k < results.rows.size() && full; ++k) {
            for (int q = 0; q < transition::matrix_count; ++q) {
                out["rows"][k][std::string("sv_") + transition::matrix_names[q]] = results.rows[k].singular_values[q];
            }
        }
        std::ofstream(argv[2]) << out.dump(1) << "\n";
        if (!h5.empty()) {
            hdf5::File file = hdf5::File::create_serial(h5);
            app::write_transition_group(file, results);
            file.close();
        }
        transition::print_transition_summary(std::cout, results);
        return 0;
    } catch (const Error& e) {
        if (world.rank() == 0) std::fprintf(stderr, "transition_dump: error: %s\n", e.what());
        return e.exit_code();
    }
}
