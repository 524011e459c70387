#include "ctscale/app/dry_run.hpp"

#include <algorithm>
#include <boost/mpi/collectives.hpp>
#include <cstdio>
#include <ostream>

#include <nlohmann/json.hpp>

#include "ctscale/io/atomic_file.hpp"
#include "ctscale/io/dtype.hpp"
#include "ctscale/io/partition.hpp"
#include "ctscale/mpi/collective.hpp"
#include "ctscale/mpi/working_team.hpp"

namespace ctscale::app {
namespace {

std::string format(const char* pattern, double value) {
    char text[48];
    std::snprintf(text, sizeof text, pattern, value);
    return text;
}

std::string bytes(double value) {
    return value >= 1e9 ? format("%.2f GB", value / 1e9) : format("%.0f MB", value / 1e6);
}

std::string seconds(double value) {
    return value >= 600  ? format("%.1f min", value / 60)
           : value >= 10 ? format("%.0f s", value)
                         : format("%.1f s", value);
}

void print_matrices(std::ostream& out, const std::vector<io::TensorInfo>& matrices, const MachineRates& rates,
                    int ranks) {
    char line[256];
    std::snprintf(line, sizeof line, "  %-48s %8s %8s %5s %10s %12s\n", "matrix", "rows", "cols", "dtype", "rows/rank",
                  "fit s/rank");
    out << line;
    for (const auto& m : matrices) {
        const std::int64_t block = io::RowPartition{m.rows, ranks, 0}.block();
        std::string name = m.name;
        if (name.size() > 48) name = "..." + name.substr(name.size() - 45);
        std::snprintf(line, sizeof line, "  %-48s %8lld %8lld %5s %10lld %12.3f\n", name.c_str(),
                      static_cast<long long>(m.rows), static_cast<long long>(m.cols), io::name_of(m.dtype).c_str(),
                      static_cast<long long>(block), double(block) * rates.fit_seconds_per_row.at(m.cols));
        out << line;
    }
}

void print_rates(std::ostream& out, const MachineRates& r, spectral::SpectralMode mode) {
    out << "\nRates per rank, every rank busy (" << r.origin << " in " << seconds(r.measured_in_seconds) << "):\n  ";
    if (r.read_bytes_per_second > 0) {
        out << "read " << format("%.2f GB/s", r.read_bytes_per_second / 1e9) << ", convert "
            << format("%.2f GB/s", r.convert_bytes_per_second / 1e9) << ", ";
    }
    out << "DGEMM " << format("%.1f GFLOP/s", r.gemm_flops_per_second / 1e9) << ", DSYRK "
        << format("%.1f GFLOP/s", r.syrk_flops_per_second / 1e9) << "\n";
    if (!r.fit_seconds_per_row.empty()) {
        out << "  fit";
        for (const auto& [width, per_row] : r.fit_seconds_per_row) {
            out << " " << format("%.1f us/row", per_row * 1e6) << " at " << width << " columns,";
        }
        out << " bases " << seconds(r.basis_seconds) << "\n";
    }
    if (r.solve_coefficient > 0) {
        out << "  " << spectral::name_of(mode) << " solve of a k x k Gram matrix after DSYRK "
            << format("%.3g", r.solve_coefficient) << format(" * k^%.2f s", r.solve_exponent) << "\n";
    }
    if (r.stream_tokens > 0) {
        out << "  transition " << format("%.2f us/token", r.transition_seconds_per_token * 1e6) << " on the first "
            << r.transition_sample_tokens << " tokens\n";
    }
}

void print_estimates(std::ostream& out, const std::vector<StageEstimate>& estimates, const RunOptions& options,
                     bool checkpoint, bool tokens) {
    char cell[64];
    const auto row = [&](const char* label, auto value) {
        std::snprintf(cell, sizeof cell, "  %-22s", label);
        out << cell;
        for (const StageEstimate& e : estimates) {
            std::snprintf(cell, sizeof cell, " %12s", value(e).c_str());
            out << cell;
        }
        out << "\n";
    };
    out << "\nEstimated time per stage and memory per rank:\n";
    row("ranks", [](const StageEstimate& e) { return std::to_string(e.launched_ranks); });
    if (std::any_of(estimates.begin(), estimates.end(),
                    [](const StageEstimate& e) { return e.ranks < e.launched_ranks; })) {
        row("  of them working", [](const StageEstimate& e) { return std::to_string(e.ranks); });
    }
    if (checkpoint) {
        row("read (fit stage)", [](const StageEstimate& e) { return seconds(e.read); });
        row("fit", [](const StageEstimate& e) { return seconds(e.fit); });
        const std::string spectra = "spectra (" + spectral::name_of(options.spectral) + ")";
        row(spectra.c_str(), [](const StageEstimate& e) { return seconds(e.spectral); });
    }
    if (tokens) row("transition", [](const StageEstimate& e) { return seconds(e.transition); });
    row("total", [](const StageEstimate& e) { return seconds(e.total()); });
    if (checkpoint) row("read per rank", [](const StageEstimate& e) { return bytes(e.read_bytes); });
    row("peak memory per rank", [](const StageEstimate& e) { return bytes(e.memory.peak()); });
    row("  of it process", [](const StageEstimate& e) { return bytes(e.memory.baseline + e.memory.libraries); });
    if (checkpoint) {
        row("  fit stage", [](const StageEstimate& e) { return bytes(e.memory.fit); });
        row("  spectral stage", [](const StageEstimate& e) { return bytes(e.memory.spectral); });
        row("  rank 0's results", [](const StageEstimate& e) { return bytes(e.memory.kept); });
    }
    if (tokens) row("  transition stage", [](const StageEstimate& e) { return bytes(e.memory.transition); });
    const StageEstimate& first = estimates.front();
    if (first.gram_flops > 0) {
        out << "Gram products: " << format("%.1f GFLOP", first.gram_flops / 1e9) << " in all.\n";
    }
    if (first.memory.peak() > double(options.memory_per_rank)) {
        out << "Note: the peak exceeds --mem-per-rank (" << bytes(double(options.memory_per_rank))
            << "); ask the scheduler for the peak.\n";
    }
}

/// --json with --dry-run: the estimates and rates for job scripts and benchmarks.
void write_plan_json(const std::string& path, const MachineRates& r, const std::vector<StageEstimate>& estimates) {
    nlohmann::json root;
    root["schema"] = "ctscale.plan";
    root["rates"] = {{"origin", r.origin},
                     {"measured_on_ranks", r.ranks},
                     {"read_bytes_per_second", r.read_bytes_per_second},
                     {"convert_bytes_per_second", r.convert_bytes_per_second},
                     {"gemm_flops_per_second", r.gemm_flops_per_second},
                     {"syrk_flops_per_second", r.syrk_flops_per_second},
                     {"basis_seconds", r.basis_seconds},
                     {"solve_coefficient", r.solve_coefficient},
                     {"solve_exponent", r.solve_exponent},
                     {"transition_seconds_per_token", r.transition_seconds_per_token},
                     {"calibration_seconds", r.measured_in_seconds}};
    for (const auto& [width, seconds] : r.fit_seconds_per_row) {
        root["rates"]["fit_seconds_per_row"][std::to_string(width)] = seconds;
    }
    for (const StageEstimate& e : estimates) {
        root["estimates"].push_back({{"ranks", e.launched_ranks},
                                     {"working_ranks", e.ranks},
                                     {"read_seconds", e.read},
                                     {"fit_seconds", e.fit},
                                     {"spectral_seconds", e.spectral},
                                     {"transition_seconds", e.transition},
                                     {"total_seconds", e.total()},
                                     {"read_bytes_per_rank", e.read_bytes},
                                     {"gram_flops", e.gram_flops},
                                     {"peak_memory_bytes_per_rank", e.memory.peak()},
                                     {"memory_bytes",
                                      {{"process", e.memory.baseline + e.memory.libraries},
                                       {"fit", e.memory.fit},
                                       {"spectral", e.memory.spectral},
                                       {"transition", e.memory.transition},
                                       {"rank0_results", e.memory.kept}}}});
    }
    io::write_file_atomically(path, root.dump(2) + "\n");
}

void print_plan(std::ostream& out, const io::Checkpoint* checkpoint, const std::vector<io::TensorInfo>& matrices,
                const std::string& tokens, const RunOptions& options, const MachineRates& rates,
                const std::vector<StageEstimate>& estimates) {
    out << "ctscale-mpi dry run:";
    if (checkpoint) {
        out << " " << checkpoint->path() << " (" << checkpoint->model().model_name << ", " << checkpoint->total_params()
            << " parameters), " << matrices.size() << " matrices";
    }
    if (!tokens.empty()) out << (checkpoint ? "; " : " ") << tokens << " (" << rates.stream_tokens << " tokens)";
    out << "\n";
    if (checkpoint) {
        out << "\n";
        print_matrices(out, matrices, rates, estimates.front().ranks);
        out << "\nK settings: ";
        for (const auto& s : options.settings()) {
            out << s.label;
            if (s.rule) out << "=" << s.rule->text();
            out << " ";
        }
        out << "\n";
    }
    print_rates(out, rates, options.spectral);
    print_estimates(out, estimates, options, checkpoint != nullptr, !tokens.empty());
}

}  // namespace

void run_dry_run(std::ostream& out, const io::Checkpoint* checkpoint, const std::vector<io::TensorInfo>& matrices,
                 const std::string& tokens, const RunOptions& options, const boost::mpi::communicator& comm,
                 int launched_ranks, std::int64_t input_bytes) {
    // The process's own memory before the calibration's buffers, the largest over the ranks.
    const double baseline = boost::mpi::all_reduce(comm, resident_bytes(), boost::mpi::maximum<double>());
    const MachineRates rates =
        rescale_to_target(measure_rates(checkpoint, matrices, tokens, options, comm), options.target_rates);
    mpi::all_or_nothing(comm, [&] {
        if (comm.rank() != 0) return;
        std::vector<StageEstimate> estimates;
        const auto ranks = options.plan_ranks.empty() ? std::vector<int>{launched_ranks} : options.plan_ranks;
        for (const int p : ranks) {
            const int working = mpi::working_rank_count(input_bytes, options.min_work_per_rank, p);
            estimates.push_back(estimate_stages(matrices, options, working, rates, baseline));
            estimates.back().launched_ranks = p;
        }
        print_plan(out, checkpoint, matrices, tokens, options, rates, estimates);
        if (!options.json.empty()) write_plan_json(options.json, rates, estimates);
    });
}

}  // namespace ctscale::app
