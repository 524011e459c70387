#pragma once
/// Each stage's time and each rank's memory for a rank count, from the shapes and
/// MachineRates (docs/dry-run.md): the fit as its sub-blocks and rows per rank, the
/// spectral stage as its own schedule (spectral/schedule.hpp) runs it — reads one after
/// another, Gram products and solves of a round side by side.
#include <cstdint>
#include <vector>

#include "ctscale/app/machine_rates.hpp"
#include "ctscale/app/run_options.hpp"
#include "ctscale/io/checkpoint.hpp"

namespace ctscale::app {

/// Peak bytes of one rank in each stage, on top of the process's own (libraries, MPI).
struct MemoryEstimate {
    double baseline = 0;  ///< resident before any stage runs (measured in the dry run)
    /// What a run's libraries touch beyond the dry run's process (OpenBLAS and ScaLAPACK
    /// buffers, HDF5's chunk cache, MPI's shared-memory queues): measured 5–15 MB.
    double libraries = 16e6;
    double fit = 0;         ///< sub-block buffers, bases, per-row records, the assembled matrix
    double spectral = 0;    ///< W and G of the largest matrix this rank holds, and the solver's copy
    double transition = 0;  ///< the rank's tokens and bigram counts; in full mode a dense V × V
    double kept = 0;        ///< rank 0: the fit's per-row results, held through the spectral stage
    double peak() const;
};

struct StageEstimate {
    int launched_ranks = 1;
    int ranks = 1;          ///< of them, the working ranks the estimate is for
    double read_bytes = 0;  ///< read by the fit, per rank
    double read = 0, fit = 0, spectral = 0, transition = 0;
    double gram_flops = 0;  ///< DSYRK flops of the spectral stage, all ranks
    MemoryEstimate memory;
    double total() const { return read + fit + spectral + transition; }
};

StageEstimate estimate_stages(const std::vector<io::TensorInfo>& matrices, const RunOptions& options, int ranks,
                              const MachineRates& rates, double baseline_bytes);

/// This process's resident set (VmRSS) and its peak so far (VmHWM), in bytes; 0 where
/// /proc does not tell.
double resident_bytes();
std::int64_t peak_resident_bytes();

}  // namespace ctscale::app
