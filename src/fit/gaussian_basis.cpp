#include "ctscale/fit/gaussian_basis.hpp"

#include <Eigen/Dense>
#include <Eigen/SVD>
#include <cmath>
#include <limits>
#include <numeric>

#include "ctscale/synth/random.hpp"

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
    using Eigen::MatrixXd;
    const std::vector<double> design = gaussian_design(cols, k, width);
    const Eigen::Map<const MatrixXd> phi(design.data(), cols, k);
    Eigen::HouseholderQR<MatrixXd> qr(phi);
    const MatrixXd r = qr.matrixQR().topRows(k).triangularView<Eigen::Upper>();
    Eigen::BDCSVD<MatrixXd> svd(r, Eigen::ComputeFullU | Eigen::ComputeFullV);
    const Eigen::VectorXd& sigma = svd.singularValues();

    GaussianBasis basis;
    basis.cols = cols;
    basis.k = k;
    const double largest = sigma(0);
    const double smallest = sigma(k - 1);
    basis.condition = smallest > 0 ? largest / smallest : std::numeric_limits<double>::infinity();
    while (basis.rank < k && sigma(basis.rank) > 1e-12 * largest) ++basis.rank;

    // U_r = Q·U_R[:, :r], applying the Householder reflectors to U_R padded with zeros
    // (cheaper than forming Q first).
    MatrixXd u = MatrixXd::Zero(cols, basis.rank);
    u.topRows(k) = svd.matrixU().leftCols(basis.rank);
    u.applyOnTheLeft(qr.householderQ());
    const MatrixXd coefficients =
        svd.matrixV().leftCols(basis.rank) * sigma.head(basis.rank).cwiseInverse().asDiagonal();
    basis.orthonormal.assign(u.data(), u.data() + u.size());
    basis.coefficients.assign(coefficients.data(), coefficients.data() + coefficients.size());
    return basis;
}

std::vector<std::int64_t> null_permutation(std::int64_t cols, std::uint64_t seed) {
    std::vector<std::int64_t> pi(static_cast<std::size_t>(cols));
    std::iota(pi.begin(), pi.end(), 0);
    synth::SplitMix64 generator{seed};
    for (std::int64_t i = cols - 1; i >= 1; --i) {
        const auto j = static_cast<std::int64_t>(generator.next() % static_cast<std::uint64_t>(i + 1));
        std::swap(pi[i], pi[j]);
    }
    return pi;
}

}  // namespace ctscale::fit
