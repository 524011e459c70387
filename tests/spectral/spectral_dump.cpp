// spectral_dump CHECKPOINT none|pr|full OUT.json [MEM_BYTES]: runs the spectral stage on
// every 2-D matrix of a checkpoint and writes the results as JSON (rank 0), for the
// NumPy reference comparison (test_spectral_reference.py) and the benchmark
// (bench/spectral_bench.sh: "seconds" is the stage's wall time on rank 0). NaN → null.
#include <boost/mpi/communicator.hpp>
#include <boost/mpi/environment.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "ctscale/error.hpp"
#include "ctscale/hdf5/handle.hpp"
#include "ctscale/io/checkpoint.hpp"
#include "ctscale/spectral/spectral_stage.hpp"

using namespace ctscale;

int main(int argc, char** argv) {
    boost::mpi::environment environment(argc, argv, false);
    boost::mpi::communicator world;
    hdf5::silence_error_stack();
    if (argc < 4) {
        if (world.rank() == 0) std::fprintf(stderr, "usage: spectral_dump CHECKPOINT none|pr|full OUT.json [MEM]\n");
        return 2;
    }
    try {
        const spectral::SpectralMode mode = spectral::parse_spectral_mode(argv[2]);
        const std::int64_t memory = argc > 4 ? std::stoll(argv[4]) : std::int64_t{1} << 30;
        const io::Checkpoint checkpoint = io::Checkpoint::open(argv[1], world);
        std::vector<io::TensorInfo> matrices;
        for (const auto& t : checkpoint.tensors()) {
            if (t.rank == 2) matrices.push_back(t);
        }
        world.barrier();
        const auto start = std::chrono::steady_clock::now();
        const auto results = spectral::run_spectral_stage(checkpoint, matrices, mode, memory, world);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (world.rank() != 0) return 0;
        nlohmann::json out = {
            {"ranks", world.size()}, {"mode", argv[2]}, {"seconds", seconds}, {"matrices", nlohmann::json::array()}};
        for (std::size_t i = 0; i < results.size(); ++i) {
            const auto& r = results[i];
            nlohmann::json entry = {{"name", matrices[i].name}, {"rows", matrices[i].rows}, {"cols", matrices[i].cols}};
            for (const auto& field : spectral::spectral_fields) entry[field.name] = r.*field.member;
            entry["method"] = r.method;
            entry["grid"] = r.grid;
            entry["singular_values"] = r.singular_values;
            out["matrices"].push_back(std::move(entry));
        }
        std::ofstream(argv[3]) << out.dump(1) << "\n";
        return 0;
    } catch (const Error& e) {
        if (world.rank() == 0) std::fprintf(stderr, "spectral_dump: %s\n", e.what());
        return e.exit_code();
    }
}
