#include "ctscale/app/stage_estimate.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <numeric>
#include <string>

#include "ctscale/fit/fit_stage.hpp"
#include "ctscale/io/dtype.hpp"
#include "ctscale/io/partition.hpp"
#include "ctscale/spectral/schedule.hpp"

namespace ctscale::app {
namespace {

double stored_bytes(const io::TensorInfo& t) { return double(t.n_params()) * double(io::bytes_of(t.dtype)); }

/// DSYRK flops of the Gram matrix of the smaller side: k(k+1)·l for k = min, l = max.
double gram_flops(const io::TensorInfo& t) {
    const double k = double(std::min(t.rows, t.cols)), l = double(std::max(t.rows, t.cols));
    return k * (k + 1) * l;
}

std::int64_t order(const io::TensorInfo& t) { return std::min(t.rows, t.cols); }

struct SpectralCost {
    double seconds = 0, memory = 0;
};

/// The spectral stage as run_spectral_stage runs it (spectral_stage.cpp): the large
/// matrices P at a time on every rank — each one's read and Gram product split P ways, then
/// the dense solves side by side (full) or the distributed Lanczos (pr); the others in
/// rounds of one matrix per rank, each read, formed and solved by its rank on its own, the
/// round lasting as long as its slowest.
SpectralCost spectral_cost(const std::vector<io::TensorInfo>& matrices, const RunOptions& options, int ranks,
                           const MachineRates& r) {
    SpectralCost cost;
    if (options.spectral == spectral::SpectralMode::none) return cost;
    const bool full = options.spectral == spectral::SpectralMode::full;
    const double p = ranks;
    const double staging = std::clamp<double>(double(options.memory_per_rank) / 4, 1 << 20, 8 << 20);
    const auto read = [&](const io::TensorInfo& t) {
        return stored_bytes(t) / r.read_bytes_per_second + stored_bytes(t) / r.convert_bytes_per_second;
    };
    const spectral::SpectralSchedule schedule = spectral::plan_spectral(matrices, ranks, options.memory_per_rank);
    for (std::size_t first = 0; first < schedule.whole_grid.size(); first += std::size_t(ranks)) {
        double slowest_solve = 0;
        for (std::size_t j = first; j < std::min(schedule.whole_grid.size(), first + std::size_t(ranks)); ++j) {
            const io::TensorInfo& t = matrices[schedule.whole_grid[j]];
            const double k = double(order(t));
            // G (k² doubles) is summed over the ranks: about two passes over it per rank.
            cost.seconds += read(t) / p + gram_flops(t) / (p * r.syrk_flops_per_second) +
                            (ranks > 1 ? 16 * k * k / r.convert_bytes_per_second : 0);
            const double solve = r.solve_seconds(order(t));
            if (full) {
                slowest_solve = std::max(slowest_solve, solve);
            } else {
                cost.seconds += solve / p;
            }
            // W twice (as read and split), G, and in full mode the solver's gathered copy.
            cost.memory = std::max(cost.memory, 16 * double(t.n_params()) / p + 8 * k * k * (full ? 3 : 1) + staging);
        }
        cost.seconds += slowest_solve;
    }
    for (const std::vector<std::size_t>& round : schedule.rounds) {
        double slowest = 0;
        for (const std::size_t m : round) {
            const io::TensorInfo& t = matrices[m];
            slowest = std::max(slowest, read(t) + gram_flops(t) / r.syrk_flops_per_second + r.solve_seconds(order(t)));
            cost.memory = std::max(cost.memory, double(spectral::local_bytes(t.rows, t.cols)) + staging);
        }
        cost.seconds += slowest;
    }
    return cost;
}

/// The fit's working set: sub-block buffers (its budget), every width's bases — stacked
/// basis, the bases themselves and their banded designs, at most three copies of n × ΣK —
/// this rank's per-row records, and one matrix's records gathered for its assembly.
double fit_memory(const std::vector<io::TensorInfo>& matrices, const RunOptions& options, int ranks) {
    const auto settings = options.settings();
    const double record = 8.0 * double(3 + 2 * settings.size());
    std::map<std::int64_t, double> bases;
    double records = 0;
    for (const io::TensorInfo& t : matrices) {
        std::int64_t columns = 0;
        for (const auto& s : settings) columns += s.k_for(t.cols) <= t.cols ? s.k_for(t.cols) : 0;
        bases[t.cols] = 3.0 * 8.0 * double(t.cols) * double(columns);
        const io::RowPartition partition{t.rows, ranks, 0};
        records = std::max(records, record * double(partition.block() + t.rows));
    }
    const double all_bases = std::accumulate(bases.begin(), bases.end(), 0.0,
                                             [](double sum, const auto& entry) { return sum + entry.second; });
    return double(fit::fit_block_budget(options.memory_per_rank)) + all_bases + records;
}

/// Rank 0 keeps every matrix's per-row R² (and amplitudes, when saved) for the results file.
double kept_results(const std::vector<io::TensorInfo>& matrices, const RunOptions& options) {
    const auto settings = options.settings();
    double kept = 0;
    for (const io::TensorInfo& t : matrices) {
        double per_row = 8.0 * double(settings.size());
        if (options.save_amplitudes) {
            for (const auto& s : settings) per_row += s.k_for(t.cols) <= t.cols ? 8.0 * double(s.k_for(t.cols)) : 0;
        }
        kept += per_row * double(t.rows);
    }
    return kept;
}

/// The prefix's time per token scaled to the stream and the rank count; in full mode plus
/// six dense V × V spectra per V, each a Gram product over the ranks and one solve.
double transition_seconds(const RunOptions& options, int ranks, const MachineRates& r) {
    double seconds = r.transition_seconds_per_token * double(r.stream_tokens) * double(r.ranks) / double(ranks);
    if (options.spectral == spectral::SpectralMode::full) {
        for (const std::int64_t v : options.vocab) {
            seconds +=
                6 * (double(v) * double(v + 1) * double(v) / (ranks * r.syrk_flops_per_second) + r.solve_seconds(v));
        }
    }
    return seconds;
}

/// About 100 bytes per token of the rank's share (ids, the null stream's, bigram entries
/// before and after the exchange, their sparse Gram products); in full mode a dense V × V
/// at the largest V with its block-cyclic copy, Gram matrix and the eigensolver's
/// workspace: 48·V² bytes (both measured: tests/app/test_dry_run.py).
double transition_memory(const RunOptions& options, int ranks, const MachineRates& r) {
    double bytes = 100.0 * double(r.stream_tokens) / double(ranks);
    if (options.spectral == spectral::SpectralMode::full && !options.vocab.empty()) {
        const double v = double(*std::max_element(options.vocab.begin(), options.vocab.end()));
        bytes += 48 * v * v;
    }
    return bytes;
}

}  // namespace

double MemoryEstimate::peak() const { return baseline + libraries + std::max({fit, spectral, transition}) + kept; }

StageEstimate estimate_stages(const std::vector<io::TensorInfo>& matrices, const RunOptions& options, int ranks,
                              const MachineRates& rates, double baseline_bytes) {
    StageEstimate estimate;
    estimate.launched_ranks = estimate.ranks = ranks;
    for (const io::TensorInfo& t : matrices) {
        const double rows = double(io::RowPartition{t.rows, ranks, 0}.block());
        estimate.read_bytes += rows * double(t.cols) * double(io::bytes_of(t.dtype));
        const auto per_row = rates.fit_seconds_per_row.find(t.cols);
        if (per_row != rates.fit_seconds_per_row.end()) estimate.fit += rows * per_row->second;
        if (options.spectral != spectral::SpectralMode::none) estimate.gram_flops += gram_flops(t);
    }
    if (estimate.read_bytes > 0) estimate.read = estimate.read_bytes / rates.read_bytes_per_second;
    estimate.fit += rates.basis_seconds;
    const SpectralCost spectral = spectral_cost(matrices, options, ranks, rates);
    estimate.spectral = spectral.seconds;
    estimate.memory.baseline = baseline_bytes;
    estimate.memory.fit = matrices.empty() ? 0 : fit_memory(matrices, options, ranks);
    estimate.memory.spectral = spectral.memory;
    estimate.memory.kept = kept_results(matrices, options);
    if (rates.stream_tokens > 0) {
        estimate.transition = transition_seconds(options, ranks, rates);
        estimate.memory.transition = transition_memory(options, ranks, rates);
    }
    return estimate;
}

namespace {

/// A "Vm...:  N kB" line of /proc/self/status, in bytes.
std::int64_t status_bytes(const std::string& field) {
    std::ifstream status("/proc/self/status");
    std::string key;
    while (status >> key) {
        if (key == field) {
            std::int64_t kilobytes = 0;
            status >> kilobytes;
            return kilobytes * 1024;
        }
        status.ignore(1 << 12, '\n');
    }
    return 0;
}

}  // namespace

double resident_bytes() { return double(status_bytes("VmRSS:")); }

std::int64_t peak_resident_bytes() { return status_bytes("VmHWM:"); }

}  // namespace ctscale::app
