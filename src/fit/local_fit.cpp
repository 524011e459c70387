#include "ctscale/fit/local_fit.hpp"

#include <algorithm>
#include <cmath>

#include "ctscale/linalg/blas.hpp"

namespace ctscale::fit {
namespace {

struct RowSums {
    double sumsq, ss_tot;
    bool constant;
};

/// Σw², Σ(w − mean)² (two passes over a row in cache) and whether all entries are equal.
RowSums row_sums(const double* w, std::int64_t n) {
    double sum = 0, sumsq = 0;
    double lo = w[0], hi = w[0];
    for (std::int64_t j = 0; j < n; ++j) {
        sum += w[j];
        sumsq += w[j] * w[j];
        lo = std::min(lo, w[j]);
        hi = std::max(hi, w[j]);
    }
    const double mean = sum / double(n);
    double ss_tot = 0;
    for (std::int64_t j = 0; j < n; ++j) ss_tot += (w[j] - mean) * (w[j] - mean);
    return {sumsq, ss_tot, lo == hi};
}

double squared_norm(const double* v, std::int64_t n) {
    double s = 0;
    for (std::int64_t i = 0; i < n; ++i) s += v[i] * v[i];
    return s;
}

}  // namespace

LocalFit::LocalFit(const WidthPlan& plan, std::int64_t first_global_row, bool keep_amplitudes)
    : plan_(plan), next_row_(first_global_row), keep_amplitudes_(keep_amplitudes) {
    for (const auto& entry : plan_.entries) {
        moments_.emplace_back(entry.k);
        null_moments_.emplace_back(entry.k);
        amplitudes_.emplace_back();
    }
}

void LocalFit::add_block(const double* rows, std::int64_t count) {
    if (count == 0) return;
    const std::int64_t n = plan_.cols;
    const std::int64_t total = plan_.total_columns;
    for (std::int64_t i = 0; i < count * n; ++i) {
        if (!std::isfinite(rows[i])) {
            if (nonfinite_.count++ == 0) {
                nonfinite_.first_row = next_row_ + i / n;
                nonfinite_.first_col = i % n;
            }
        }
    }
    // Projections onto every basis and null twin: P (count × T, row-major) = W · stacked.
    projections_.resize(static_cast<std::size_t>(count * total));
    linalg::gemm('T', 'N', total, count, n, 1.0, plan_.stacked.data(), n, rows, n, 0.0, projections_.data(), total);

    const std::int64_t record = row_record_size(plan_);
    const std::size_t base = row_records_.size();
    row_records_.resize(base + static_cast<std::size_t>(count * record));
    for (std::int64_t r = 0; r < count; ++r) {
        const RowSums sums = row_sums(rows + r * n, n);
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
    for (std::size_t e = 0; e < plan_.entries.size(); ++e) {
        const auto& entry = plan_.entries[e];
        const std::int64_t k = entry.k, rank = entry.basis->rank;
        block_amplitudes_.resize(static_cast<std::size_t>(count * k));
        for (int twin = 0; twin < 2; ++twin) {
            // A (count × K, row-major) = B_s · coefficientsᵀ, with B_s a column slice of P.
            linalg::gemm('N', 'N', k, count, rank, 1.0, entry.basis->coefficients.data(), k,
                         projections_.data() + entry.column + twin * rank, total, 0.0, block_amplitudes_.data(), k);
            (twin ? null_moments_ : moments_)[e].add_rows(block_amplitudes_.data(), count);
            if (keep_amplitudes_ && !twin) {
                amplitudes_[e].insert(amplitudes_[e].end(), block_amplitudes_.begin(), block_amplitudes_.end());
            }
        }
    }
    rows_ += count;
    next_row_ += count;
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
