#include "ctscale/spectral/matrix_spectrum.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "ctscale/blacs/large_buffer.hpp"
#include "ctscale/blacs/scalapack.hpp"
#include "ctscale/linalg/blas.hpp"
#include "ctscale/spectral/spectrum_fields.hpp"
#include "ctscale/spectral/top_eigenvalue.hpp"
#include "all_eigenvalues.hpp"
#include "gram_solvers.hpp"
#include "lapack.hpp"

namespace ctscale::spectral {

std::vector<double> local_eigenvalues(double* g, std::int64_t k, std::int64_t il, std::int64_t iu) {
    const bool all = il == 1 && iu == k;
    const int n = linalg::to_blas_int(k), lo = linalg::to_blas_int(il), hi = linalg::to_blas_int(iu), query = -1;
    const char range = all ? 'A' : 'I';
    const double bound = 0.0;
    int found = 0, info = 0, iwork_size = 0, one = 1;
    double work_size = 0.0, z = 0.0;
    std::vector<double> values(static_cast<std::size_t>(n));
    std::vector<int> support(static_cast<std::size_t>(2 * n));
    dsyevr_("N", &range, "L", &n, g, &n, &bound, &bound, &lo, &hi, &bound, &found, values.data(), &z, &one,
           support.data(), &work_size, &query, &iwork_size, &query, &info, 1, 1, 1);
    CTSCALE_SCALAPACK_INFO(info, "dsyevr");
    std::vector<double> work(static_cast<std::size_t>(work_size) + 1);
    std::vector<int> iwork(static_cast<std::size_t>(iwork_size) + 1);
    const int lwork = linalg::to_blas_int(static_cast<std::int64_t>(work.size()));
    const int liwork = linalg::to_blas_int(static_cast<std::int64_t>(iwork.size()));
    dsyevr_("N", &range, "L", &n, g, &n, &bound, &bound, &lo, &hi, &bound, &found, values.data(), &z, &one,
           support.data(), work.data(), &lwork, iwork.data(), &liwork, &info, 1, 1, 1);
    CTSCALE_SCALAPACK_INFO(info, "dsyevr");
    values.resize(static_cast<std::size_t>(found));
    return values;
}

namespace {

double sum_of_squares(const double* w, std::int64_t m, std::int64_t n, std::int64_t ld) {
    double s = 0.0;
    for (std::int64_t j = 0; j < n; ++j) {
        for (std::int64_t i = 0; i < m; ++i) s += w[i + j * ld] * w[i + j * ld];
    }
    return s;
}

}  // namespace

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
    const int order = linalg::to_blas_int(k), inner = linalg::to_blas_int(tall ? m : n);
    const int lda = linalg::to_blas_int(std::max<std::int64_t>(1, ld));
    const double one = 1.0, zero = 0.0;
    blacs::LargeVector<double> own;
    blacs::LargeVector<double>& g = workspace ? *workspace : own;
    g.resize(static_cast<std::size_t>(k * k));
    dsyrk_("L", tall ? "T" : "N", &order, &inner, &one, w, &lda, &zero, g.data(), &order, 1, 1);
    for (std::int64_t j = 0; j < k; ++j) {
        for (std::int64_t i = j + 1; i < k; ++i) g[j + i * k] = g[i + j * k];
    }
    const double frobenius_sq = sum_of_squares(w, m, n, ld);
    const double gram_sq = sum_of_squares(g.data(), k, k, k);

    std::vector<double> eigenvalues;
    r.method = "dsyrk+dsyevr";
    if (mode == SpectralMode::full) {
        eigenvalues = all_eigenvalues(g.data(), k, threads);
        r.method = "dsyrk+" + all_eigenvalues_method(k, threads);
    } else if (k >= quick_lanczos_from) {
        KrylovSettings settings;
        if (k <= dense_top_limit) settings.max_basis = quick_lanczos_basis;
        const TopEigenvalue top = top_eigenvalue(
            k, [&](const double* v, std::int64_t b, double* y) {
                linalg::gemm('N', 'N', k, b, k, 1.0, g.data(), k, v, k, 0.0, y, k);
            },
            settings);
        if (top.converged) {
            eigenvalues = {top.value};
            r.method = "dsyrk+lanczos";
        }
    }
    if (eigenvalues.empty()) eigenvalues = local_eigenvalues(g.data(), k, k, k);
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
