#include "ctscale/fit/gaussian_basis.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "ctscale/linalg/lapack.hpp"
#include "ctscale/util/random.hpp"

namespace ctscale::fit {

std::vector<double> gaussian_design(std::int64_t cols, std::int64_t k, double width) {
    std::vector<double> phi(static_cast<std::size_t>(cols * k));
    const double sigma = width * double(cols) / double(k);
    for (std::int64_t c = 0; c < k; ++c) {
        const double centre = (c + 0.5) * double(cols) / double(k);
        for (std::int64_t j = 0; j < cols; ++j) {
            const double x = (j + 0.5 - centre) / sigma;
            phi[c * cols + j] = std::exp(-0.5 * x * x);
        }
    }
    return phi;
}

GaussianBasis GaussianBasis::build(std::int64_t cols, std::int64_t k, double width) {
    // LAPACK, not Eigen: the blocked Householder QR, SVD and application of Q take about
    // half the time (BENCHMARKS.md, "Design measurements").
    std::vector<double> qr = gaussian_design(cols, k, width);
    std::vector<double> tau(static_cast<std::size_t>(k));
    linalg::householder_qr(cols, k, qr.data(), tau.data());
    std::vector<double> r(static_cast<std::size_t>(k * k), 0.0);
    for (std::int64_t c = 0; c < k; ++c) std::copy_n(&qr[c * cols], c + 1, &r[c * k]);
    const linalg::SmallSvd svd = linalg::svd(k, r.data());

    GaussianBasis basis;
    basis.cols = cols;
    basis.k = k;
    const double largest = svd.sigma[0];
    const double smallest = svd.sigma[k - 1];
    basis.condition = smallest > 0 ? largest / smallest : std::numeric_limits<double>::infinity();
    while (basis.rank < k && svd.sigma[basis.rank] > 1e-12 * largest) ++basis.rank;

    // U_r = Q·U_R[:, :r], applying the Householder reflectors to U_R padded with zeros
    // (cheaper than forming Q first).
    const std::int64_t rank = basis.rank;
    basis.orthonormal.assign(static_cast<std::size_t>(cols * rank), 0.0);
    for (std::int64_t c = 0; c < rank; ++c) std::copy_n(&svd.u[c * k], k, &basis.orthonormal[c * cols]);
    linalg::apply_householder_q(cols, rank, k, qr.data(), tau.data(), basis.orthonormal.data());
    // coefficients = V_r Σ_r⁻¹ (K×r); svd.vt holds Vᵀ (K×K).
    basis.coefficients.resize(static_cast<std::size_t>(k * rank));
    for (std::int64_t c = 0; c < rank; ++c) {
        for (std::int64_t i = 0; i < k; ++i) basis.coefficients[c * k + i] = svd.vt[i * k + c] / svd.sigma[c];
    }
    return basis;
}

std::vector<std::int64_t> null_permutation(std::int64_t cols, std::uint64_t seed) {
    std::vector<std::int64_t> pi(static_cast<std::size_t>(cols));
    std::iota(pi.begin(), pi.end(), 0);
    util::SplitMix64 generator{seed};
    for (std::int64_t i = cols - 1; i >= 1; --i) {
        const auto j = static_cast<std::int64_t>(generator.next() % static_cast<std::uint64_t>(i + 1));
        std::swap(pi[i], pi[j]);
    }
    return pi;
}

}  // namespace ctscale::fit
