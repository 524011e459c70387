#include "ctscale/app/dry_run.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <ostream>

#include "ctscale/io/partition.hpp"

namespace ctscale::app {
namespace {

std::string megabytes(double bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f MB", bytes / 1e6);
    return text;
}

/// Columns of the stacked basis for rows of width `cols`: every setting's K and its null twin.
std::int64_t stacked_columns(const std::vector<fit::KSetting>& settings, std::int64_t cols) {
    std::int64_t total = 0;
    for (const auto& s : settings) {
        if (const std::int64_t k = s.k_for(cols); k <= cols) total += 2 * k;
    }
    return total;
}

}  // namespace

void print_plan(std::ostream& out, const io::Checkpoint& checkpoint, const std::vector<io::TensorInfo>& matrices,
                const RunOptions& options, int ranks, const MachineRates& rates) {
    const auto settings = options.settings();
    const std::int64_t block_bytes = std::min<std::int64_t>(std::int64_t{32} << 20, options.memory_per_rank / 2);
    const std::int64_t record = 3 + 2 * static_cast<std::int64_t>(settings.size());
    char line[256];
    out << "ctscale-mpi dry run: " << checkpoint.path() << " (" << checkpoint.model().model_name << ", "
        << checkpoint.total_params() << " parameters), " << matrices.size() << " matrices, " << ranks << " ranks\n\n";
    std::snprintf(line, sizeof line, "  %-48s %8s %8s %5s %10s %14s\n", "matrix", "rows", "cols", "dtype", "rows/rank",
                  "GFLOP (fit)");
    out << line;
    double flops = 0, bytes = 0, largest_rows_per_rank = 0, records_per_rank = 0, rank0_bytes = 0;
    std::map<std::int64_t, std::int64_t> basis_bytes;
    for (const auto& m : matrices) {
        const io::RowPartition partition{m.rows, ranks, 0};
        const std::int64_t columns = stacked_columns(settings, m.cols);
        const double matrix_flops = 2.0 * double(m.rows) * double(m.cols) * double(columns);
        flops += matrix_flops;
        bytes += double(m.n_params()) * double(io::bytes_of(m.dtype));
        largest_rows_per_rank = std::max(largest_rows_per_rank, double(partition.block()));
        records_per_rank = std::max(records_per_rank, double(partition.block() * record * 8));
        rank0_bytes += double(m.rows) * double(settings.size()) * 8;  // per-row R² kept for the results file
        basis_bytes[m.cols] = m.cols * columns * 8;
        std::string name = m.name;
        if (name.size() > 48) name = name.substr(name.size() - 45).insert(0, "...");
        std::snprintf(line, sizeof line, "  %-48s %8lld %8lld %5s %10lld %14.2f\n", name.c_str(),
                      static_cast<long long>(m.rows), static_cast<long long>(m.cols), io::name_of(m.dtype).c_str(),
                      static_cast<long long>(partition.block()), matrix_flops / 1e9);
        out << line;
    }
    double bases = 0;
    for (const auto& [cols, size] : basis_bytes) bases += double(size);
    const double fit_memory = double(block_bytes) + records_per_rank + bases;
    out << "\nK settings: ";
    for (const auto& s : settings) out << s.label << (s.rule ? "=" + s.rule->text() : "") << " ";
    out << "\nMemory per rank (fit stage): " << megabytes(fit_memory) << " (row sub-blocks " << megabytes(block_bytes)
        << ", per-row records " << megabytes(records_per_rank) << ", bases " << megabytes(bases)
        << "); rank 0 also keeps " << megabytes(rank0_bytes) << " of per-row R² for the results file"
        << (options.save_amplitudes ? " plus the amplitudes" : "") << ".\n";
    out << "Spectral stage: " << spectral::name_of(options.spectral) << "\n";
    const double read_seconds = bytes / ranks / rates.read_bytes_per_second;
    const double fit_seconds = flops / ranks / rates.gemm_flops_per_second;
    std::snprintf(line, sizeof line,
                  "Estimated time: read %.1f s (%.2f GB at %.1f GB/s per rank), fit %.1f s (%.1f TFLOP at %.0f "
                  "GFLOP/s per rank), total ~%.1f s\n",
                  read_seconds, bytes / 1e9, rates.read_bytes_per_second / 1e9, fit_seconds, flops / 1e12,
                  rates.gemm_flops_per_second / 1e9, read_seconds + fit_seconds);
    out << line;
}

}  // namespace ctscale::app
