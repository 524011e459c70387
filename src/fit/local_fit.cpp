#include "ctscale/fit/local_fit.hpp"

#include <algorithm>
#include <cmath>

#include "ctscale/linalg/blas.hpp"

namespace ctscale::fit {
namespace {

struct RowSums {
    double sumsq, ss_tot;
    bool constant;
    std::int64_t nonfinite;
};

/// One pass over a row: Σw², Σ(w − mean)² from sums shifted by w₀ (no cancellation when
/// the mean is large), whether all entries are equal, and how many are NaN/Inf.
RowSums row_sums(const double* w, std::int64_t n) {
    const double shift = w[0];
    double s1 = 0, s2 = 0, sumsq = 0;
    double lo = w[0], hi = w[0];
    std::int64_t nonfinite = 0;
    for (std::int64_t j = 0; j < n; ++j) {
        const double d = w[j] - shift;
        s1 += d;
        s2 += d * d;
        sumsq += w[j] * w[j];
        lo = std::min(lo, w[j]);
        hi = std::max(hi, w[j]);
        nonfinite += !std::isfinite(w[j]);
    }
    return {sumsq, std::max(0.0, s2 - s1 * s1 / double(n)), lo == hi, nonfinite};
}

double squared_norm(const double* v, std::int64_t n) {
    double s = 0;
    for (std::int64_t i = 0; i < n; ++i) s += v[i] * v[i];
    return s;
}

}  // namespace

LocalFit::LocalFit(const WidthPlan& plan, std::int64_t first_global_row, bool keep_amplitudes,
                   std::vector<double>& scratch)
    : plan_(plan), next_row_(first_global_row), keep_amplitudes_(keep_amplitudes), projections_(scratch) {
    for (const auto& entry : plan_.entries) {
        moments_.emplace_back(entry.basis->rank);
        null_moments_.emplace_back(entry.basis->rank);
        amplitudes_.emplace_back();
    }
}

void LocalFit::add_block(const double* rows, std::int64_t count) {
    if (count == 0) return;
    const std::int64_t n = plan_.cols;
    const std::int64_t total = plan_.total_columns;
    // Projections onto every basis and null twin: P (count × T, row-major) = W · stacked.
    projections_.resize(static_cast<std::size_t>(count * total));
    linalg::gemm('T', 'N', total, count, n, 1.0, plan_.stacked.data(), n, rows, n, 0.0, projections_.data(), total);

    const std::int64_t record = row_record_size(plan_);
    const std::size_t base = row_records_.size();
    row_records_.resize(base + static_cast<std::size_t>(count * record));
    for (std::int64_t r = 0; r < count; ++r) {
        const RowSums sums = row_sums(rows + r * n, n);
        if (sums.nonfinite > 0) record_nonfinite(rows + r * n, n, next_row_ + r, sums.nonfinite);
        double* out = &row_records_[base + r * record];
        out[0] = sums.sumsq;
        out[1] = sums.ss_tot;
        out[2] = sums.constant ? 1.0 : 0.0;
        const double* p = &projections_[r * total];
        for (std::size_t e = 0; e < plan_.entries.size(); ++e) {
            const auto& entry = plan_.entries[e];
            const std::int64_t rank = entry.basis->rank;
            // Residual by Pythagoras: ‖w − Φa‖² = ‖w‖² − ‖U_rᵀw‖², clamped against rounding.
            out[3 + 2 * e] = std::max(0.0, sums.sumsq - squared_norm(p + entry.column, rank));
            out[4 + 2 * e] = std::max(0.0, sums.sumsq - squared_norm(p + entry.column + rank, rank));
        }
    }
    // Co-moments of the projections b = U_rᵀw (and of the null twin's): the amplitude
    // covariance is coefficients · C_b · coefficientsᵀ, formed once per matrix on rank 0.
    for (std::size_t e = 0; e < plan_.entries.size(); ++e) {
        const auto& entry = plan_.entries[e];
        const std::int64_t rank = entry.basis->rank;
        moments_[e].add_rows(projections_.data() + entry.column, count, total);
        null_moments_[e].add_rows(projections_.data() + entry.column + rank, count, total);
        if (keep_amplitudes_) {
            const std::int64_t k = entry.k;
            block_amplitudes_.resize(static_cast<std::size_t>(count * k));
            // A (count × K, row-major) = B_s · coefficientsᵀ, with B_s a column slice of P.
            linalg::gemm('N', 'N', k, count, rank, 1.0, entry.basis->coefficients.data(), k,
                         projections_.data() + entry.column, total, 0.0, block_amplitudes_.data(), k);
            amplitudes_[e].insert(amplitudes_[e].end(), block_amplitudes_.begin(), block_amplitudes_.end());
        }
    }
    rows_ += count;
    next_row_ += count;
}

void LocalFit::record_nonfinite(const double* row, std::int64_t n, std::int64_t global_row, std::int64_t count) {
    if (nonfinite_.count == 0) {
        nonfinite_.first_row = global_row;
        nonfinite_.first_col = std::find_if(row, row + n, [](double v) { return !std::isfinite(v); }) - row;
    }
    nonfinite_.count += count;
}

std::vector<double> LocalFit::pack() const {
    std::vector<double> out{double(nonfinite_.count), double(nonfinite_.first_row), double(nonfinite_.first_col),
                            double(rows_)};
    out.insert(out.end(), row_records_.begin(), row_records_.end());
    for (std::size_t e = 0; e < plan_.entries.size(); ++e) {
        moments_[e].pack(out);
        null_moments_[e].pack(out);
        if (keep_amplitudes_) out.insert(out.end(), amplitudes_[e].begin(), amplitudes_[e].end());
    }
    return out;
}

}  // namespace ctscale::fit
