#include "ctscale/fit/model_summary.hpp"

#include <cmath>
#include <limits>
#include <map>

#include "ctscale/fit/statistics.hpp"

namespace ctscale::fit {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

CompressionRow compression_row(const std::vector<MatrixResult>& matrices, std::size_t s, const std::string& label,
                               std::int64_t total_params) {
    CompressionRow row{label, 0, 0, total_params, 0, nan, nan, nan, nan};
    double ss_res = 0, ss_tot = 0, ss_res_null = 0;
    for (const auto& m : matrices) {
        const SettingResult& fit = m.settings[s];
        if (!fit.fitted()) continue;
        row.amplitude_params += m.tensor.rows * fit.k;
        row.fitted_params += m.tensor.n_params();
        ++row.n_matrices;
        ss_res += fit.ss_res;
        ss_tot += fit.ss_tot;
        ss_res_null += fit.ss_res_null;
    }
    if (row.amplitude_params > 0) {
        row.compression_fitted = double(row.fitted_params) / double(row.amplitude_params);
        row.compression_total = double(total_params) / double(row.amplitude_params);
    }
    if (ss_tot > 0) {
        row.r2_pooled = 1.0 - ss_res / ss_tot;
        row.r2_null_pooled = 1.0 - ss_res_null / ss_tot;
    }
    return row;
}

AmplitudePrRow amplitude_pr_row(const std::vector<MatrixResult>& matrices, std::size_t s, const std::string& label) {
    std::vector<double> sizes, prs, nulls;
    for (const auto& m : matrices) {
        const SettingResult& fit = m.settings[s];
        if (!fit.fitted()) continue;
        if (std::isfinite(fit.amplitude_pr)) {
            sizes.push_back(double(m.tensor.n_params()));
            prs.push_back(fit.amplitude_pr);
        }
        if (std::isfinite(fit.amplitude_pr_null)) nulls.push_back(fit.amplitude_pr_null);
    }
    const Correlation c = pearson(sizes, prs);
    return {label, mean(prs), sample_std(prs), std::int64_t(prs.size()), c.r, c.p_value, mean(nulls)};
}

LayerTrend layer_trend(const std::vector<MatrixResult>& matrices) {
    std::map<std::int64_t, std::pair<double, std::int64_t>> by_layer;  // layer → (Σ‖W‖², params)
    for (const auto& m : matrices) {
        if (m.tensor.layer < 0 || m.status != "ok") continue;
        auto& [squares, params] = by_layer[m.tensor.layer];
        squares += m.frobenius_norm * m.frobenius_norm;
        params += m.tensor.n_params();
    }
    LayerTrend trend;
    std::vector<double> index, norms;
    for (const auto& [layer, sums] : by_layer) {
        const double norm = std::sqrt(sums.first);
        trend.layers.push_back({layer, sums.second, norm, norm / double(sums.second)});
        index.push_back(double(layer));
        norms.push_back(norm);
    }
    trend.spearman_rho = spearman(index, norms);
    trend.monotone_decreasing = norms.size() >= 2;
    for (std::size_t i = 1; i < norms.size(); ++i) trend.monotone_decreasing &= norms[i] < norms[i - 1];
    return trend;
}

}  // namespace

ModelSummary summarise(const std::vector<MatrixResult>& matrices, const std::vector<KSetting>& settings,
                       std::int64_t total_params) {
    ModelSummary summary;
    for (std::size_t s = 0; s < settings.size(); ++s) {
        summary.compression.push_back(compression_row(matrices, s, settings[s].label, total_params));
        summary.amplitude_pr.push_back(amplitude_pr_row(matrices, s, settings[s].label));
    }
    summary.layer_norms = layer_trend(matrices);
    return summary;
}

}  // namespace ctscale::fit
