#include "ctscale/app/summary_report.hpp"

#include <cmath>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>

#include "ctscale/error.hpp"
#include "ctscale/io/atomic_file.hpp"
#include "ctscale/transition/transition_report.hpp"

namespace ctscale::app {
namespace {

std::string format(const char* pattern, double value) {
    if (!std::isfinite(value)) return "nan";
    char text[64];
    std::snprintf(text, sizeof text, pattern, value);
    return text;
}

std::string grouped(std::int64_t value) {
    std::string digits = std::to_string(value), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

/// JSON has no NaN: missing values become null.
nlohmann::json number(double value) { return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(); }

/// Spectral fields averaged per kind of matrix (the per-matrix values are in the results file).
void print_spectra(std::ostream& out, const RunResults& results) {
    std::map<std::string, std::vector<std::size_t>> by_kind;
    for (std::size_t i = 0; i < results.spectra.size(); ++i) {
        if (std::isfinite(results.spectra[i].pr_sv)) by_kind[results.matrices[i].tensor.kind].push_back(i);
    }
    if (by_kind.empty()) return;
    auto average = [&](const std::vector<std::size_t>& members, double spectral::SpectralResult::*field) {
        double sum = 0;
        int count = 0;
        for (std::size_t i : members) {
            const double v = results.spectra[i].*field;
            if (std::isfinite(v)) sum += v, ++count;
        }
        return count ? sum / count : std::nan("");
    };
    char line[256];
    out << "\nSpectra per kind of matrix (means; per-matrix values in /summary/matrices)\n";
    std::snprintf(line, sizeof line, "  %-10s %9s %10s %12s %12s %10s %10s\n", "kind", "matrices", "PR(sv)",
                  "stable rank", "sigma_1", "eff. rank", "alpha");
    out << line;
    for (const auto& [kind, members] : by_kind) {
        std::snprintf(line, sizeof line, "  %-10s %9zu %10s %12s %12s %10s %10s\n", kind.c_str(), members.size(),
                      format("%.2f", average(members, &spectral::SpectralResult::pr_sv)).c_str(),
                      format("%.2f", average(members, &spectral::SpectralResult::stable_rank)).c_str(),
                      format("%.4g", average(members, &spectral::SpectralResult::spectral_norm)).c_str(),
                      format("%.1f", average(members, &spectral::SpectralResult::effective_rank)).c_str(),
                      format("%.2f", average(members, &spectral::SpectralResult::alpha)).c_str());
        out << line;
    }
}

void print_fit_tables(std::ostream& out, const RunRecord& record, const RunResults& results) {
    const auto& matrices = results.matrices;
    const auto& summary = results.summary;
    char line[256];
    out << "ctscale: " << record.model.model_name << " (" << record.model.architecture << ", "
        << grouped(record.total_params) << " parameters, " << matrices.size() << " matrices analysed, "
        << record.mpi_ranks << (record.mpi_ranks == 1 ? " rank" : " ranks");
    if (record.working_ranks != record.mpi_ranks) out << ", " << record.working_ranks << " working";
    out << ")\n\n";

    out << "Compression and fit quality per K setting (R² pooled over the fitted matrices)\n";
    std::snprintf(line, sizeof line, "  %-6s %9s %16s %12s %12s %10s %10s %10s\n", "K", "matrices", "amplitude params",
                  "compr.fitted", "compr.total", "R² pooled", "R² null", "R² excess");
    out << line;
    for (const auto& c : summary.compression) {
        std::snprintf(line, sizeof line, "  %-6s %9lld %16s %12s %12s %10s %10s %10s\n", c.label.c_str(),
                      static_cast<long long>(c.n_matrices), grouped(c.amplitude_params).c_str(),
                      format("%.1fx", c.compression_fitted).c_str(), format("%.1fx", c.compression_total).c_str(),
                      format("%.4f", c.r2_pooled).c_str(), format("%.4f", c.r2_null_pooled).c_str(),
                      format("%+.4f", c.r2_pooled - c.r2_null_pooled).c_str());
        out << line;
    }

    out << "\nAmplitude participation ratio per K setting\n";
    std::snprintf(line, sizeof line, "  %-6s %9s %8s %8s %12s %10s %10s\n", "K", "matrices", "PR mean", "PR std",
                  "r(size,PR)", "p-value", "null PR");
    out << line;
    for (const auto& a : summary.amplitude_pr) {
        std::snprintf(line, sizeof line, "  %-6s %9lld %8s %8s %12s %10s %10s\n", a.label.c_str(),
                      static_cast<long long>(a.n_matrices), format("%.3f", a.pr_mean).c_str(),
                      format("%.3f", a.pr_std).c_str(), format("%+.3f", a.size_pr_pearson_r).c_str(),
                      format("%.3g", a.size_pr_p_value).c_str(), format("%.3f", a.pr_null_mean).c_str());
        out << line;
    }

    out << "\nLayer weight norms\n";
    std::snprintf(line, sizeof line, "  %-6s %12s %12s %12s\n", "layer", "params", "norm", "norm/param");
    out << line;
    for (const auto& l : summary.layer_norms.layers) {
        std::snprintf(line, sizeof line, "  L%-5lld %12s %12s %12s\n", static_cast<long long>(l.layer),
                      grouped(l.n_params).c_str(), format("%.4f", l.layer_norm).c_str(),
                      format("%.3e", l.norm_per_param).c_str());
        out << line;
    }
    out << "  Spearman rho(layer, norm) = " << format("%+.3f", summary.layer_norms.spearman_rho)
        << ", strictly decreasing with depth: " << (summary.layer_norms.monotone_decreasing ? "yes" : "no") << "\n";
    print_spectra(out, results);
}

}  // namespace

void print_summary(std::ostream& out, const RunRecord& record, const RunResults& results) {
    if (!results.matrices.empty()) print_fit_tables(out, record, results);
    if (results.transition) {
        if (!results.matrices.empty()) out << "\n";
        transition::print_transition_summary(out, *results.transition);
    }
}

void write_summary_json(const std::string& path, const RunRecord& record, const RunResults& results) {
    const auto& matrices = results.matrices;
    const auto& summary = results.summary;
    nlohmann::json root;
    root["model_name"] = record.model.model_name;
    root["total_params"] = record.total_params;
    root["mpi_ranks"] = record.mpi_ranks;
    root["working_ranks"] = record.working_ranks;
    root["matrices_analysed"] = matrices.size();
    for (const auto& c : summary.compression) {
        root["compression"].push_back({{"k_label", c.label},
                                       {"n_matrices", c.n_matrices},
                                       {"amplitude_params", c.amplitude_params},
                                       {"fitted_params", c.fitted_params},
                                       {"total_params", c.total_params},
                                       {"compression_fitted", number(c.compression_fitted)},
                                       {"compression_total", number(c.compression_total)},
                                       {"r2_pooled", number(c.r2_pooled)},
                                       {"r2_null_pooled", number(c.r2_null_pooled)}});
    }
    for (const auto& a : summary.amplitude_pr) {
        root["amplitude_pr"].push_back({{"k_label", a.label},
                                        {"pr_mean", number(a.pr_mean)},
                                        {"pr_std", number(a.pr_std)},
                                        {"n_matrices", a.n_matrices},
                                        {"size_pr_pearson_r", number(a.size_pr_pearson_r)},
                                        {"size_pr_p_value", number(a.size_pr_p_value)},
                                        {"pr_null_mean", number(a.pr_null_mean)}});
    }
    for (const auto& l : summary.layer_norms.layers) {
        root["layer_norms"]["layers"].push_back({{"layer", l.layer},
                                                 {"n_params", l.n_params},
                                                 {"layer_norm", number(l.layer_norm)},
                                                 {"norm_per_param", number(l.norm_per_param)}});
    }
    root["layer_norms"]["spearman_rho"] = number(summary.layer_norms.spearman_rho);
    root["layer_norms"]["monotone_decreasing"] = summary.layer_norms.monotone_decreasing;
    for (std::size_t i = 0; i < results.spectra.size(); ++i) {
        const auto& s = results.spectra[i];
        root["spectra"].push_back({{"name", matrices[i].tensor.name},
                                   {"pr_sv", number(s.pr_sv)},
                                   {"spectral_norm", number(s.spectral_norm)},
                                   {"stable_rank", number(s.stable_rank)},
                                   {"effective_rank", number(s.effective_rank)},
                                   {"alpha", number(s.alpha)},
                                   {"method", s.method}});
    }
    if (results.transition) root["transition"] = transition::transition_json(*results.transition);
    io::write_file_atomically(path, root.dump(2) + "\n");
}

}  // namespace ctscale::app
