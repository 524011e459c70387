#pragma once
/// The fit results of one matrix, assembled on rank 0 from every rank's LocalFit.
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "ctscale/fit/local_fit.hpp"
#include "ctscale/io/checkpoint.hpp"

namespace ctscale::fit {

struct SettingResult {
    std::string label;
    std::int64_t k = 0;
    std::string status = "ok";  ///< or why the setting was skipped for this matrix
    static constexpr double missing = std::numeric_limits<double>::quiet_NaN();
    double r2_mean = missing, r2_median = missing, r2_pooled = missing, r2_null_pooled = missing, r2_excess = missing;
    double amplitude_pr = missing, amplitude_pr_null = missing, basis_cond = missing;
    std::int64_t undefined_rows = 0;
    double ss_res = 0, ss_tot = 0, ss_res_null = 0;  ///< sums over defined rows
    std::vector<double> r2_rows;                     ///< NaN for undefined rows
    std::vector<double> eigenvalues;                 ///< amplitude covariance, descending
    std::vector<double> amplitudes;                  ///< rows × K, with --save-amplitudes

    bool fitted() const noexcept { return status == "ok"; }
};

struct MatrixResult {
    io::TensorInfo tensor;
    std::string status = "ok";  ///< or "skipped: ..." (non-finite values with --on-nonfinite skip)
    NonFinite nonfinite;
    double frobenius_norm = 0;
    double norm_per_param = 0;
    std::vector<SettingResult> settings;  ///< one per run setting, in run order
};

/// Marks the matrix and every setting skipped, with NaN metrics (e.g. non-finite weights).
void mark_skipped(MatrixResult& result, const std::string& reason);

/// Rank 0: combines the packed LocalFit of every rank (in rank order) into the result.
MatrixResult assemble(const io::TensorInfo& tensor, const std::vector<KSetting>& settings, const WidthPlan& plan,
                      const std::vector<std::span<const double>>& packed_by_rank, bool keep_amplitudes);

}  // namespace ctscale::fit
