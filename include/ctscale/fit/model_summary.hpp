#pragma once
/// Model-level tables from the per-matrix results (docs/definitions.md §3–5): compression per K
/// setting with its pooled R², amplitude-PR statistics, and layer norms with depth trend.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "ctscale/fit/matrix_result.hpp"

namespace ctscale::fit {

struct CompressionRow {
    std::string label;
    std::int64_t amplitude_params = 0, fitted_params = 0, total_params = 0, n_matrices = 0;
    double compression_fitted, compression_total, r2_pooled, r2_null_pooled;
};

struct AmplitudePrRow {
    std::string label;
    double pr_mean, pr_std;
    std::int64_t n_matrices = 0;
    double size_pr_pearson_r, size_pr_p_value, pr_null_mean;
};

struct LayerNormRow {
    std::int64_t layer = 0;
    std::int64_t n_params = 0;
    double layer_norm = 0, norm_per_param = 0;
};

struct LayerTrend {
    std::vector<LayerNormRow> layers;                                ///< ascending layer index, layers ≥ 0 present
    double spearman_rho = std::numeric_limits<double>::quiet_NaN();  ///< NaN without layers (token-only runs)
    bool monotone_decreasing = false;
};

struct ModelSummary {
    std::vector<CompressionRow> compression;
    std::vector<AmplitudePrRow> amplitude_pr;
    LayerTrend layer_norms;
};

ModelSummary summarise(const std::vector<MatrixResult>& matrices, const std::vector<KSetting>& settings,
                       std::int64_t total_params);

}  // namespace ctscale::fit
