#pragma once
/// `ctscale-mpi --dry-run`: the plan a job script needs, from metadata only — matrices and
/// shapes, rows per rank, memory per rank, and a time estimate from flops and bytes — so
/// users size --ntasks and --mem-per-cpu before they queue.
#include <iosfwd>
#include <vector>

#include "ctscale/app/run_options.hpp"
#include "ctscale/io/checkpoint.hpp"

namespace ctscale::app {

/// Assumed rates of one rank, stated in the plan so users can rescale the estimate.
struct MachineRates {
    double gemm_flops_per_second = 30e9;  ///< measured rate per rank (OpenBLAS, AVX2), see BENCHMARKS.md
    double read_bytes_per_second = 1e9;   ///< parallel-file-system share of one rank
};

void print_plan(std::ostream& out, const io::Checkpoint& checkpoint, const std::vector<io::TensorInfo>& matrices,
                const RunOptions& options, int ranks, const MachineRates& rates = {});

}  // namespace ctscale::app
