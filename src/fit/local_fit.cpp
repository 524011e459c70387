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

/// Whether every entry equals w[0], and how many are NaN/Inf: the exact, slower answers,
/// needed only for the rare rows whose sums flag them.
bool all_equal(const double* w, std::int64_t n) {
    return std::all_of(w, w + n, [&](double v) { return v == w[0]; });
}
std::int64_t count_nonfinite(const double* w, std::int64_t n) {
    return std::count_if(w, w + n, [](double v) { return !std::isfinite(v); });
}

/// One pass over a row: Σw², Σ(w − mean)² from sums shifted by w₀ (no cancellation when
/// the mean is large). Four partial sums per quantity let the loop run in SIMD lanes;
/// constant and non-finite rows are told by their sums (Σ(w − w₀)² = 0; Σw² not finite)
/// and confirmed exactly.
RowSums row_sums(const double* w, std::int64_t n) {
    constexpr int lanes = 4;
    const double shift = w[0];
    double s1[lanes] = {}, s2[lanes] = {}, sq[lanes] = {};
    std::int64_t j = 0;
    for (; j + lanes <= n; j += lanes) {
        for (int l = 0; l < lanes; ++l) {
            const double v = w[j + l], d = v - shift;
            s1[l] += d;
            s2[l] += d * d;
            sq[l] += v * v;
        }
    }
    for (int l = 0; j < n; ++j, ++l) {
        const double v = w[j], d = v - shift;
        s1[l] += d;
        s2[l] += d * d;
        sq[l] += v * v;
    }
    const double sum1 = (s1[0] + s1[1]) + (s1[2] + s1[3]);
    const double sum2 = (s2[0] + s2[1]) + (s2[2] + s2[3]);
    const double sumsq = (sq[0] + sq[1]) + (sq[2] + sq[3]);
    const std::int64_t nonfinite = std::isfinite(sumsq) ? 0 : count_nonfinite(w, n);
    const bool constant = nonfinite == 0 && sum2 == 0.0 && all_equal(w, n);
    return {sumsq, std::max(0.0, sum2 - sum1 * sum1 / double(n)), constant, nonfinite};
}

double squared_norm(const double* v, std::int64_t n) {
    double s = 0;
    for (std::int64_t i = 0; i < n; ++i) s += v[i] * v[i];
    return s;
}

}  // namespace

LocalFit::LocalFit(const WidthPlan& plan, std::int64_t first_global_row, bool keep_amplitudes, BlockScratch& scratch)
    : plan_(plan), next_row_(first_global_row), keep_amplitudes_(keep_amplitudes), scratch_(scratch) {
    for (const auto& entry : plan_.entries) {
        moments_.emplace_back(entry.basis->rank);
        null_moments_.emplace_back(entry.basis->rank);
        amplitudes_.emplace_back();
    }
}

/// Projections b = U_rᵀw of every row onto every basis and null twin, into P (count ×
/// total_columns, row-major; column-major it is Pᵀ with leading dimension total_columns).
void LocalFit::project(const double* rows, std::int64_t count) {
    const std::int64_t n = plan_.cols;
    const std::int64_t total = plan_.total_columns;
    projections_ = scratch_.projections.get(static_cast<std::size_t>(count * total));
    if (plan_.dense_columns > 0) {
        linalg::gemm('T', 'N', plan_.dense_columns, count, n, 1.0, plan_.stacked.data(), n, rows, n, 0.0, projections_,
                     total);
    }
    if (plan_.widest_banded_k == 0) return;
    double* permuted = scratch_.permuted_rows.get(static_cast<std::size_t>(count * n));
    const std::int64_t* pi = plan_.permutation.data();
    std::int64_t r = 0;
    for (; r + 4 <= count; r += 4) {  // four rows per index load
        const double* w = rows + r * n;
        double* w_null = permuted + r * n;
        for (std::int64_t j = 0; j < n; ++j) {
            const std::int64_t from = pi[j];
            w_null[j] = w[from];
            w_null[n + j] = w[n + from];
            w_null[2 * n + j] = w[2 * n + from];
            w_null[3 * n + j] = w[3 * n + from];
        }
    }
    for (; r < count; ++r) {
        for (std::int64_t j = 0; j < n; ++j) permuted[r * n + j] = rows[r * n + pi[j]];
    }
    double* products = scratch_.design_products.get(static_cast<std::size_t>(count * plan_.widest_banded_k));
    for (const auto& entry : plan_.entries) {
        if (!entry.banded) continue;
        const GaussianBasis& basis = *entry.basis;
        for (int twin = 0; twin < 2; ++twin) {
            // Y = W·Φ (count × K), then P[:, columns] = Y·M_r: column-major, M_rᵀ·Yᵀ.
            entry.banded->apply(twin ? permuted : rows, count, products, basis.k);
            linalg::gemm('T', 'N', basis.rank, count, basis.k, 1.0, basis.coefficients.data(), basis.k, products,
                         basis.k, 0.0, projections_ + entry.column + twin * basis.rank, total);
        }
    }
}

void LocalFit::add_block(const double* rows, std::int64_t count) {
    if (count == 0) return;
    const std::int64_t n = plan_.cols;
    const std::int64_t total = plan_.total_columns;
    project(rows, count);

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
        moments_[e].add_rows(projections_ + entry.column, count, total);
        null_moments_[e].add_rows(projections_ + entry.column + rank, count, total);
        if (keep_amplitudes_) {
            const std::int64_t k = entry.k;
            double* amplitudes = scratch_.amplitudes.get(static_cast<std::size_t>(count * k));
            // A (count × K, row-major) = B_s · coefficientsᵀ, with B_s a column slice of P.
            linalg::gemm('N', 'N', k, count, rank, 1.0, entry.basis->coefficients.data(), k,
                         projections_ + entry.column, total, 0.0, amplitudes, k);
            amplitudes_[e].insert(amplitudes_[e].end(), amplitudes, amplitudes + count * k);
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
