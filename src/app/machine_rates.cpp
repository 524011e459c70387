#include "ctscale/app/machine_rates.hpp"

#include <algorithm>
#include <boost/mpi/collectives.hpp>
#include <chrono>
#include <cmath>

#include "ctscale/fit/fit_stage.hpp"
#include "ctscale/fit/local_fit.hpp"
#include "ctscale/io/dtype.hpp"
#include "ctscale/io/partition.hpp"
#include "ctscale/linalg/blas.hpp"
#include "ctscale/spectral/matrix_spectrum.hpp"
#include "ctscale/transition/transition_stage.hpp"
#include "ctscale/util/random.hpp"

namespace ctscale::app {
namespace {

using Clock = std::chrono::steady_clock;

/// Runs `work` on every rank at once; the slowest rank's seconds.
template <class Work>
double timed_together(const boost::mpi::communicator& comm, Work&& work) {
    comm.barrier();
    const auto start = Clock::now();
    work();
    const double mine = std::chrono::duration<double>(Clock::now() - start).count();
    return boost::mpi::all_reduce(comm, mine, boost::mpi::maximum<double>());
}

/// The best of `repeats` timings: the machine is shared, and a rate is what it can do.
template <class Work>
double best_of(int repeats, const boost::mpi::communicator& comm, Work&& work) {
    double best = HUGE_VAL;
    for (int r = 0; r < repeats; ++r) best = std::min(best, timed_together(comm, work));
    return best;
}

/// Weight-like values: N(0, 0.02²), the same on every rank.
std::vector<double> weights(std::size_t count, std::uint64_t stream) {
    util::Random random(0x5eed, stream);
    std::vector<double> values(count);
    for (double& v : values) v = 0.02 * random.normal();
    return values;
}

const io::TensorInfo& most_bytes(const std::vector<io::TensorInfo>& matrices) {
    return *std::max_element(matrices.begin(), matrices.end(), [](const io::TensorInfo& a, const io::TensorInfo& b) {
        return a.n_params() * io::bytes_of(a.dtype) < b.n_params() * io::bytes_of(b.dtype);
    });
}

/// The best of three DGEMMs and DSYRKs; called at the start and the end of the calibration,
/// so that a burst of other work on a shared node does not set the floors (the best of all
/// counts).
void measure_blas(const boost::mpi::communicator& comm, MachineRates& rates) {
    constexpr std::int64_t n = 768, k = 1536;
    const std::vector<double> a = weights(static_cast<std::size_t>(n * k), 1);
    std::vector<double> c(static_cast<std::size_t>(n * n));
    const double gemm =
        best_of(3, comm, [&] { linalg::gemm('T', 'N', n, n, k, 1.0, a.data(), k, a.data(), k, 0.0, c.data(), n); });
    const double syrk = best_of(3, comm, [&] { linalg::syrk_lower('T', n, k, 1.0, a.data(), k, 0.0, c.data(), n); });
    rates.gemm_flops_per_second = std::max(rates.gemm_flops_per_second, 2.0 * n * n * k / gemm);
    rates.syrk_flops_per_second = std::max(rates.syrk_flops_per_second, double(n) * double(n + 1) * k / syrk);
}

/// Seconds since `start` on this rank.
double since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

/// The fit stage's own loop on the first rows of the largest matrix (up to 32 MiB of them
/// per rank): reads in the fit's steps of `block` rows, each converted and fitted before
/// the next, as in a run (the page cache and memory bandwidth shared with the fit). The
/// first step, which touches fresh pages, is not timed. Then the sample's conversion
/// alone, as the spectral stage converts what it reads.
void measure_sample(const io::Checkpoint& checkpoint, const io::TensorInfo& t, const fit::WidthPlan& plan,
                    std::int64_t block, const RunOptions& options, const boost::mpi::communicator& comm,
                    MachineRates& rates) {
    const std::int64_t row_bytes = t.cols * static_cast<std::int64_t>(io::bytes_of(t.dtype));
    const std::int64_t per_rank = std::max(2 * block, (std::int64_t{32} << 20) / row_bytes);
    const io::RowPartition partition{std::min(t.rows, comm.size() * per_rank), comm.size(), comm.rank()};
    const io::SubBlocks steps = io::SubBlocks::plan(partition, block * row_bytes, row_bytes);
    std::vector<unsigned char> raw(static_cast<std::size_t>(partition.block() * row_bytes));
    std::vector<double> rows(static_cast<std::size_t>(block * t.cols));
    fit::BlockScratch scratch;
    fit::LocalFit local(plan, partition.first(), options.save_amplitudes, scratch);
    double read = 0, fit = 0;
    std::int64_t timed_rows = 0, timed_bytes = 0;
    comm.barrier();
    for (std::int64_t step = 0; step < steps.steps; ++step) {
        const std::int64_t count = steps.count(step, partition.count());
        unsigned char* stored = raw.data() + steps.offset(step) * row_bytes;
        auto start = Clock::now();
        checkpoint.read_raw_rows(t, partition.first() + steps.offset(step), count, stored);
        const double read_step = since(start);
        start = Clock::now();
        io::to_double(t.dtype, stored, rows.data(), static_cast<std::size_t>(count * t.cols));
        local.add_block(rows.data(), count);
        if (step == 0 && steps.steps > 1) continue;
        read += read_step;
        fit += since(start);
        timed_rows += count;
        timed_bytes += count * row_bytes;
    }
    // The rank that read least (the last may hold fewer rows) sets no rate; the slowest does.
    const double read_rate = read > 0 ? double(timed_bytes) / read : HUGE_VAL;
    const double fit_per_row = timed_rows > 0 ? fit / double(timed_rows) : 0;
    rates.read_bytes_per_second = boost::mpi::all_reduce(comm, read_rate, boost::mpi::minimum<double>());
    rates.fit_seconds_per_row[t.cols] = boost::mpi::all_reduce(comm, fit_per_row, boost::mpi::maximum<double>());

    const auto values =
        std::min<std::size_t>(std::size_t{1} << 22, static_cast<std::size_t>(partition.count() * t.cols));
    std::vector<double> converted(values);
    std::int64_t nonfinite = 0;
    const double convert = best_of(2, comm, [&] {
        io::to_double(t.dtype, raw.data(), converted.data(), values);
        for (const double v : converted) nonfinite += !std::isfinite(v);
    });
    if (nonfinite > 0) rates.origin += "; the read sample holds non-finite values";
    rates.convert_bytes_per_second = double(values * io::bytes_of(t.dtype)) / std::max(convert, 1e-6);
}

/// LocalFit on weight-like rows of width tensor.cols, in the fit's own sub-blocks of
/// `block` rows: one block to touch the buffers, then three timed.
void measure_width(const io::TensorInfo& tensor, const fit::WidthPlan& plan, std::int64_t block,
                   const RunOptions& options, const boost::mpi::communicator& comm, MachineRates& rates) {
    constexpr int timed_blocks = 3;
    const auto entries = static_cast<std::size_t>(block * tensor.cols);
    std::vector<unsigned char> raw(entries * io::bytes_of(tensor.dtype));
    io::from_double(tensor.dtype, weights(entries, 2).data(), raw.data(), entries);
    std::vector<double> rows(entries);
    fit::BlockScratch scratch;
    fit::LocalFit local(plan, 0, options.save_amplitudes, scratch);
    const auto add_block = [&] {
        io::to_double(tensor.dtype, raw.data(), rows.data(), entries);
        local.add_block(rows.data(), block);
    };
    add_block();
    const double seconds = timed_together(comm, [&] {
        for (int b = 0; b < timed_blocks; ++b) add_block();
    });
    rates.fit_seconds_per_row[tensor.cols] = seconds / double(timed_blocks * block);
}

/// The fit's bases (timed: a run builds them too), then its loop on a sample of the
/// largest matrix as read, and on weight-like rows of every other width.
void measure_fit(const io::Checkpoint& checkpoint, const std::vector<io::TensorInfo>& matrices,
                 const RunOptions& options, const boost::mpi::communicator& comm, MachineRates& rates) {
    fit::BasisCache bases(options.settings(), options.width, options.null_seed);
    std::vector<std::int64_t> widths;
    for (const auto& m : matrices) widths.push_back(m.cols);
    rates.basis_seconds = timed_together(comm, [&] { bases.build_all(widths, comm); });
    const auto block_rows = [&](const io::TensorInfo& t) {
        const std::int64_t budget = fit::fit_block_budget(options.memory_per_rank);
        return std::max<std::int64_t>(1, budget / fit::fit_bytes_per_row(t, bases.plan(t.cols)));
    };
    const io::TensorInfo& largest = most_bytes(matrices);
    measure_sample(checkpoint, largest, bases.plan(largest.cols), block_rows(largest), options, comm, rates);
    for (const io::TensorInfo& t : matrices) {
        if (rates.fit_seconds_per_row.count(t.cols) == 0) {
            measure_width(t, bases.plan(t.cols), block_rows(t), options, comm, rates);
        }
    }
}

/// The solve after DSYRK at two orders k and 2k (3k in full mode); c·k^e through both.
void measure_spectral_solve(spectral::SpectralMode mode, const boost::mpi::communicator& comm, MachineRates& rates) {
    if (mode == spectral::SpectralMode::none) return;
    // pr mode's one-process Lanczos has a short budget up to k = 1024 (gram_solvers.hpp):
    // calibrate above it. Full mode's cost is k³ at any order: calibrate small.
    const bool full = mode == spectral::SpectralMode::full;
    const std::int64_t orders[2] = {full ? 512 : 1100, full ? 1536 : 2200};
    double seconds[2];
    for (int i = 0; i < 2; ++i) {
        const std::int64_t k = orders[i];
        // Columns of decaying scale: a spectrum with a gap at the top, as trained weights have.
        std::vector<double> w = weights(static_cast<std::size_t>(k * k), 3);
        for (std::int64_t c = 0; c < k; ++c) {
            for (std::int64_t r = 0; r < k; ++r) w[static_cast<std::size_t>(c * k + r)] /= std::sqrt(double(c + 1));
        }
        blacs::LargeVector<double> gram;
        const double total = timed_together(comm, [&] { spectral::analyze_local(w.data(), k, k, k, mode, &gram); });
        const double syrk = double(k) * double(k + 1) * double(k) / rates.syrk_flops_per_second;
        seconds[i] = std::max(total - syrk, 0.05 * total);
    }
    const double ratio = double(orders[1]) / double(orders[0]);
    rates.solve_exponent = std::clamp(std::log(seconds[1] / seconds[0]) / std::log(ratio), 1.5, 3.5);
    rates.solve_coefficient = seconds[1] / std::pow(double(orders[1]), rates.solve_exponent);
}

/// The transition stage as run, without full mode's dense spectra, on the first 400k
/// tokens (or all): long enough to count and to form the sparse Gram matrices of most V.
void measure_transition(const std::string& tokens, const RunOptions& options, const boost::mpi::communicator& comm,
                        MachineRates& rates) {
    constexpr std::int64_t sample = 400'000;
    transition::TransitionResults results;
    const double seconds = timed_together(comm, [&] {
        results =
            transition::run_transition_stage(tokens, options.vocab, false, options.null_seed, false, comm, sample);
    });
    rates.transition_sample_tokens = results.tokens;
    rates.stream_tokens = results.file_tokens;
    rates.transition_seconds_per_token = seconds / double(results.tokens);
}

}  // namespace

double MachineRates::solve_seconds(std::int64_t order) const {
    return solve_coefficient * std::pow(static_cast<double>(order), solve_exponent);
}

MachineRates measure_rates(const io::Checkpoint* checkpoint, const std::vector<io::TensorInfo>& matrices,
                           const std::string& tokens, const RunOptions& options, const boost::mpi::communicator& comm) {
    MachineRates rates;
    rates.origin = "measured here on " + std::to_string(comm.size()) + " rank" + (comm.size() == 1 ? "" : "s");
    const auto start = Clock::now();
    linalg::ScopedBlasThreads threads(options.blas_threads);
    rates.ranks = comm.size();
    measure_blas(comm, rates);
    // The solve serves the spectral stage, and full mode's dense transition spectra.
    if (checkpoint || options.spectral == spectral::SpectralMode::full) {
        measure_spectral_solve(options.spectral, comm, rates);
    }
    if (checkpoint) measure_fit(*checkpoint, matrices, options, comm, rates);
    if (!tokens.empty()) measure_transition(tokens, options, comm, rates);
    measure_blas(comm, rates);
    rates.measured_in_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return rates;
}

MachineRates rescale_to_target(MachineRates rates, const TargetRates& target) {
    if (target.gemm_flops_per_second > 0) {
        const double speedup = target.gemm_flops_per_second / rates.gemm_flops_per_second;
        rates.gemm_flops_per_second *= speedup;
        rates.syrk_flops_per_second *= speedup;
        rates.convert_bytes_per_second *= speedup;
        for (auto& [width, seconds] : rates.fit_seconds_per_row) seconds /= speedup;
        rates.basis_seconds /= speedup;
        rates.solve_coefficient /= speedup;
        rates.transition_seconds_per_token /= speedup;
    }
    if (target.read_bytes_per_second > 0) rates.read_bytes_per_second = target.read_bytes_per_second;
    if (target.gemm_flops_per_second > 0 || target.read_bytes_per_second > 0) {
        rates.origin += ", rescaled to --rates";
    }
    return rates;
}

}  // namespace ctscale::app
