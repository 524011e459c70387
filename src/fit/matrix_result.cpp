#include "ctscale/fit/matrix_result.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "ctscale/fit/statistics.hpp"
#include "ctscale/linalg/blas.hpp"
#include "ctscale/linalg/lapack.hpp"

namespace ctscale::fit {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

SettingResult skipped(const KSetting& setting, std::int64_t k, std::int64_t cols) {
    SettingResult s;
    s.label = setting.label;
    s.k = k;
    s.status = "skipped: K=" + std::to_string(k) + " > cols=" + std::to_string(cols);
    return s;
}

/// The amplitude covariance M·C_b·Mᵀ (K×K, column-major), where C_b is the covariance of
/// the projections b = U_rᵀw and M = V_r Σ_r⁻¹ maps b to amplitudes. BLAS, not Eigen: the
/// product is much faster at large K, e.g. K = 688 of llama-7b's rule
/// (BENCHMARKS.md, "Design measurements").
std::vector<double> amplitude_covariance(const CoMoments& projections, const GaussianBasis& basis) {
    const std::vector<double> cb = projections.covariance();
    const std::int64_t k = basis.k, r = basis.rank;
    std::vector<double> mc(static_cast<std::size_t>(k * r)), c(static_cast<std::size_t>(k * k));
    linalg::gemm('N', 'N', k, r, r, 1.0, basis.coefficients.data(), k, cb.data(), r, 0.0, mc.data(), k);
    linalg::gemm('N', 'T', k, k, r, 1.0, mc.data(), k, basis.coefficients.data(), k, 0.0, c.data(), k);
    return c;
}

/// PR = (Σλ)²/Σλ² = trace(C)²/‖C‖_F², without the eigenvalues (for the null baseline).
double covariance_participation_ratio(const CoMoments& projections, const GaussianBasis& basis) {
    if (projections.count < 2) return nan;
    const std::vector<double> c = amplitude_covariance(projections, basis);
    double trace = 0, squares = 0;
    for (std::int64_t i = 0; i < basis.k; ++i) trace += c[i * basis.k + i];
    for (const double v : c) squares += v * v;
    return squares > 0 ? trace * trace / squares : nan;
}

/// Eigenvalues (descending) of the amplitude covariance (LAPACK DSYEVR, much faster than
/// Eigen's solver at large K: BENCHMARKS.md, "Design measurements").
std::vector<double> covariance_eigenvalues(const CoMoments& projections, const GaussianBasis& basis) {
    const std::int64_t k = basis.k;
    if (projections.count < 2) return std::vector<double>(k, nan);
    std::vector<double> c = amplitude_covariance(projections, basis);
    // NaN/Inf weights (the matrix is then skipped or fails the run) would fail DSYEVR.
    if (!std::all_of(c.begin(), c.end(), [](double v) { return std::isfinite(v); })) {
        return std::vector<double>(k, nan);
    }
    std::vector<double> values = linalg::symmetric_eigenvalues(k, c.data(), k, 1, k);
    std::reverse(values.begin(), values.end());
    return values;
}

}  // namespace

void mark_skipped(MatrixResult& result, const std::string& reason) {
    result.status = reason;
    for (auto& s : result.settings) {
        SettingResult blank;
        blank.label = s.label;
        blank.k = s.k;
        blank.status = reason;
        s = std::move(blank);
    }
}

MatrixResult assemble(const io::TensorInfo& tensor, const std::vector<KSetting>& settings, const WidthPlan& plan,
                      const std::vector<std::span<const double>>& packed_by_rank, bool keep_amplitudes) {
    MatrixResult result;
    result.tensor = tensor;
    const std::int64_t record = row_record_size(plan);
    const std::size_t entries = plan.entries.size();
    // Each rank's row records stay where the gather put them: its rows, in global order.
    std::vector<std::span<const double>> records;
    std::vector<CoMoments> moments, null_moments;
    std::vector<std::vector<double>> amplitudes(entries);
    for (const auto& entry : plan.entries) {
        moments.emplace_back(entry.basis->rank);
        null_moments.emplace_back(entry.basis->rank);
    }
    for (const auto& packed : packed_by_rank) {
        const double* in = packed.data();
        const auto count = static_cast<std::int64_t>(in[0]);
        if (count > 0 && result.nonfinite.count == 0) {
            result.nonfinite.first_row = static_cast<std::int64_t>(in[1]);
            result.nonfinite.first_col = static_cast<std::int64_t>(in[2]);
        }
        result.nonfinite.count += count;
        const auto rows = static_cast<std::int64_t>(in[3]);
        in += 4;
        records.emplace_back(in, static_cast<std::size_t>(rows * record));
        in += rows * record;
        for (std::size_t e = 0; e < entries; ++e) {
            moments[e].merge(CoMoments::unpack(in, plan.entries[e].basis->rank));
            null_moments[e].merge(CoMoments::unpack(in, plan.entries[e].basis->rank));
            if (keep_amplitudes) {
                amplitudes[e].insert(amplitudes[e].end(), in, in + rows * plan.entries[e].k);
                in += rows * plan.entries[e].k;
            }
        }
    }
    const auto for_each_record = [&](auto&& visit) {
        std::int64_t row = 0;
        for (const auto& part : records) {
            for (std::size_t at = 0; at < part.size(); at += static_cast<std::size_t>(record)) visit(row++, &part[at]);
        }
    };

    // Norms and sums in global row order: identical for every rank count.
    double sumsq = 0;
    for_each_record([&](std::int64_t, const double* rec) { sumsq += rec[0]; });
    result.frobenius_norm = std::sqrt(sumsq);
    result.norm_per_param = result.frobenius_norm / double(tensor.n_params());

    for (const auto& setting : settings)
        result.settings.push_back(skipped(setting, setting.k_for(tensor.cols), tensor.cols));
    for (std::size_t e = 0; e < entries; ++e) {
        const auto& entry = plan.entries[e];
        SettingResult& s = result.settings[entry.setting];
        s.status = "ok";
        s.basis_cond = entry.basis->condition;
        s.r2_rows.resize(static_cast<std::size_t>(tensor.rows));
        double r2_sum = 0;
        std::int64_t defined = 0;
        for_each_record([&](std::int64_t r, const double* rec) {
            if (rec[2] != 0.0) {
                s.r2_rows[r] = nan;
                ++s.undefined_rows;
                return;
            }
            const double ss_res = rec[3 + 2 * e], ss_res_null = rec[4 + 2 * e];
            s.r2_rows[r] = 1.0 - ss_res / rec[1];
            r2_sum += s.r2_rows[r];
            s.ss_res += ss_res;
            s.ss_res_null += ss_res_null;
            s.ss_tot += rec[1];
            ++defined;
        });
        s.r2_mean = defined ? r2_sum / double(defined) : nan;
        s.r2_median = median(s.r2_rows);
        s.r2_pooled = defined ? 1.0 - s.ss_res / s.ss_tot : nan;
        s.r2_null_pooled = defined ? 1.0 - s.ss_res_null / s.ss_tot : nan;
        s.r2_excess = s.r2_pooled - s.r2_null_pooled;
        s.eigenvalues = covariance_eigenvalues(moments[e], *entry.basis);
        s.amplitude_pr = moments[e].count < 2 ? nan : participation_ratio(s.eigenvalues);
        s.amplitude_pr_null = covariance_participation_ratio(null_moments[e], *entry.basis);
        s.amplitudes = std::move(amplitudes[e]);
    }
    return result;
}

}  // namespace ctscale::fit
