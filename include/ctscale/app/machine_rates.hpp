#pragma once
/// The rates behind `--dry-run`'s estimates (docs/dry-run.md): measured where the dry run
/// runs, by every rank at once (so they share cores, caches and memory bandwidth as in a
/// run), with the stages' own kernels on small inputs — a sample of the checkpoint's rows
/// read as the fit reads them, LocalFit on rows of each width, DGEMM and DSYRK, and the
/// spectral solve of two small Gram matrices. A few seconds, whatever the model size.
#include <boost/mpi/communicator.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ctscale/app/run_options.hpp"
#include "ctscale/io/checkpoint.hpp"

namespace ctscale::app {

/// Rates of one rank while every rank works; the slowest rank's, as a run waits for it.
struct MachineRates {
    double read_bytes_per_second = 0;     ///< row reads of the checkpoint, as stored
    double convert_bytes_per_second = 0;  ///< stored values to doubles, checked finite (spectral reads)
    double gemm_flops_per_second = 0;     ///< DGEMM, the floor of the fit's projections
    double syrk_flops_per_second = 0;     ///< DSYRK, the floor of the Gram products
    /// Per row width: seconds per row of the fit (conversion, projections, sums, co-moments).
    std::map<std::int64_t, double> fit_seconds_per_row;
    double basis_seconds = 0;  ///< building every width's bases (once per run)
    /// The spectral mode's solve of a k × k Gram matrix (after DSYRK) as c·k^e, from
    /// two orders: σ₁ by Lanczos in pr mode (e ≈ 2), every eigenvalue in full mode (e ≈ 3).
    double solve_coefficient = 0;
    double solve_exponent = 3;
    /// The transition stage's counting and sparse PRs, per token, from a prefix of the stream
    /// (the dense spectra of full mode are modelled as Gram products and solves).
    double transition_seconds_per_token = 0;
    std::int64_t transition_sample_tokens = 0;
    std::int64_t stream_tokens = 0;  ///< T of the token file
    int ranks = 1;                   ///< the rank count the rates were measured on
    double measured_in_seconds = 0;  ///< the calibration's own wall time
    std::string origin;              ///< how the rates were obtained, for the plan's header

    double solve_seconds(std::int64_t order) const;
};

/// Collective: measures the rates for `matrices` of `checkpoint` (if any) with `options`'
/// K settings, width and spectral mode, and for the token stream `tokens` (if not empty).
MachineRates measure_rates(const io::Checkpoint* checkpoint, const std::vector<io::TensorInfo>& matrices,
                           const std::string& tokens, const RunOptions& options, const boost::mpi::communicator& comm);

/// --rates read=GB/s,gemm=GFLOP/s (per rank, either or both): the measured rates rescaled
/// to a target cluster — reads at its rate, every compute term by gemm_here / gemm_there
/// (its cores assumed as efficient relative to their DGEMM as this machine's).
MachineRates rescale_to_target(MachineRates measured, const TargetRates& target);

}  // namespace ctscale::app
