#include "ctscale/spectral/matrix_spectrum.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "ctscale/blacs/large_buffer.hpp"
#include "ctscale/linalg/blas.hpp"
#include "ctscale/linalg/lapack.hpp"
#include "ctscale/linalg/sums.hpp"
#include "ctscale/spectral/spectrum_fields.hpp"
#include "ctscale/spectral/top_eigenvalue.hpp"
#include "all_eigenvalues.hpp"
#include "gram_solvers.hpp"

namespace ctscale::spectral {

void finish_fields(SpectralResult& r, SpectralMode mode, const std::vector<double>& eigenvalues, double frobenius_sq,
                   double gram_sq, std::int64_t m, std::int64_t n) {
    const double top = eigenvalues.empty() ? 0.0 : std::max(eigenvalues.back(), 0.0);
    fill_pr_fields(r, frobenius_sq, gram_sq, std::sqrt(top));
    if (mode == SpectralMode::full) {
        fill_full_fields(r, singular_values_from_gram(eigenvalues, std::max(m, n)), m, n, frobenius_sq);
    }
}

SpectralResult analyze_local(const double* w, std::int64_t m, std::int64_t n, std::int64_t ld, SpectralMode mode,
                             blacs::LargeVector<double>* workspace, int threads) {
    SpectralResult r;
    r.grid = "1x1";
    if (mode == SpectralMode::none || m == 0 || n == 0) return r;
    const std::int64_t k = std::min(m, n);
    const bool tall = m >= n;
    blacs::LargeVector<double> own;
    blacs::LargeVector<double>& g = workspace ? *workspace : own;
    g.resize(static_cast<std::size_t>(k * k));
    // The lower triangle of G only: every solver below reads no more.
    linalg::syrk_lower(tall ? 'T' : 'N', k, tall ? m : n, 1.0, w, ld, 0.0, g.data(), k);
    const double frobenius_sq = linalg::sum_of_squares(m, n, w, ld);
    const double gram_sq = linalg::symmetric_sum_of_squares(k, g.data(), k);

    std::vector<double> eigenvalues;
    r.method = "dsyrk+dsyevr";
    if (mode == SpectralMode::full) {
        eigenvalues = all_eigenvalues(g.data(), k, threads);
        r.method = "dsyrk+" + all_eigenvalues_method(k, threads);
    } else if (k >= quick_lanczos_from) {
        KrylovSettings settings;
        if (k <= dense_top_limit) settings.max_basis = quick_lanczos_basis;
        const TopEigenvalue top = top_eigenvalue(
            k, [&](const double* v, std::int64_t b, double* y) { linalg::symm_lower(k, b, g.data(), k, v, k, y, k); },
            settings);
        if (top.converged) {
            eigenvalues = {top.value};
            r.method = "dsyrk+lanczos";
        }
    }
    if (eigenvalues.empty()) eigenvalues = linalg::symmetric_eigenvalues(k, g.data(), k, k, k);
    finish_fields(r, mode, eigenvalues, frobenius_sq, gram_sq, m, n);
    return r;
}

std::int64_t block_size_for(std::int64_t m, std::int64_t n, blacs::GridShape shape) {
    const std::int64_t k = std::max<std::int64_t>(1, std::min(m, n));
    const std::int64_t spread = (k + std::max(shape.rows, shape.cols) - 1) / std::max(shape.rows, shape.cols);
    return std::clamp<std::int64_t>(spread, 1, 64);
}

SpectralResult analyze_distributed(const blacs::DistributedMatrix& w, SpectralMode mode, std::int64_t memory_per_rank) {
    if (!w.grid().contains_me()) return {};
    const StageGrids grids(w.grid().communicator());
    const std::int64_t p = grids.line.cols();
    blacs::DistributedMatrix split =
        w.rows() >= w.cols()
            ? blacs::DistributedMatrix::row_blocks(grids.column, w.rows(), w.cols())
            : blacs::DistributedMatrix(grids.line, w.rows(), w.cols(), std::max<std::int64_t>(1, w.rows()),
                                       std::max<std::int64_t>(1, (w.cols() + p - 1) / p));
    blacs::redistribute(w, split, grids.line);
    return analyze_split(split, grids, mode, memory_per_rank);
}

}  // namespace ctscale::spectral
