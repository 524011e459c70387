#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <random>

#include "ctscale/fit/gaussian_basis.hpp"

using namespace ctscale::fit;

TEST(GaussianBasis, ConditionNumberMatchesTheSpec) {
    // docs/definitions.md §1: ≈ 72 for n = 256, K = 16 at the default width (NumPy: 71.478279...).
    EXPECT_NEAR(GaussianBasis::build(256, 16, 1.0).condition, 71.47827941137444, 1e-8);
}

TEST(GaussianBasis, AmplitudesAreTheLeastSquaresSolutionAndResidualsFollowPythagoras) {
    const std::int64_t n = 37, k = 8;  // n not divisible by K
    const GaussianBasis basis = GaussianBasis::build(n, k, 1.0);
    ASSERT_EQ(basis.rank, k);
    const std::vector<double> design = gaussian_design(n, k, 1.0);
    const Eigen::Map<const Eigen::MatrixXd> phi(design.data(), n, k);
    std::mt19937_64 random(3);
    std::normal_distribution<double> normal;
    Eigen::VectorXd w(n);
    for (auto& v : w) v = normal(random);

    const Eigen::Map<const Eigen::MatrixXd> u(basis.orthonormal.data(), n, basis.rank);
    const Eigen::Map<const Eigen::MatrixXd> coefficients(basis.coefficients.data(), k, basis.rank);
    const Eigen::VectorXd b = u.transpose() * w;
    const Eigen::VectorXd a = coefficients * b;
    const Eigen::VectorXd reference = phi.colPivHouseholderQr().solve(w);
    EXPECT_LT((a - reference).norm(), 1e-10 * reference.norm());
    const double residual = (w - phi * a).squaredNorm();
    EXPECT_NEAR(w.squaredNorm() - b.squaredNorm(), residual, 1e-12 * w.squaredNorm());
    EXPECT_LT((u.transpose() * u - Eigen::MatrixXd::Identity(k, k)).norm(), 1e-13);
}

TEST(GaussianBasis, RankDeficientBasisStillFitsAsWellAsAnyLeastSquaresSolver) {
    const std::int64_t n = 12, k = 12;
    const GaussianBasis basis = GaussianBasis::build(n, k, 6.0);  // very wide: numerically rank-deficient
    EXPECT_LT(basis.rank, k);
    EXPECT_GT(basis.condition, 1e12);
    const std::vector<double> design = gaussian_design(n, k, 6.0);
    const Eigen::Map<const Eigen::MatrixXd> phi(design.data(), n, k);
    const Eigen::VectorXd w = Eigen::VectorXd::LinSpaced(n, -1.0, 2.0).array().sin();
    const Eigen::Map<const Eigen::MatrixXd> u(basis.orthonormal.data(), n, basis.rank);
    const Eigen::Map<const Eigen::MatrixXd> coefficients(basis.coefficients.data(), k, basis.rank);
    const Eigen::VectorXd b = u.transpose() * w;
    const Eigen::VectorXd a = coefficients * b;
    const double residual = (w - phi * a).squaredNorm();
    const double best = (w - phi * phi.colPivHouseholderQr().solve(w)).squaredNorm();
    EXPECT_LE(residual, best + 1e-9 * w.squaredNorm());
    EXPECT_NEAR(w.squaredNorm() - b.squaredNorm(), residual, 1e-9 * w.squaredNorm());
}

TEST(NullPermutation, IsFisherYatesDrivenBySplitMix64) {
    // Hand computation from SplitMix64(0): 0xE220A8397B1DCDAF mod 5 = 1, ... (see docs/definitions.md §2).
    EXPECT_EQ(null_permutation(5, 0), (std::vector<std::int64_t>{2, 3, 1, 4, 0}));
    std::vector<std::int64_t> pi = null_permutation(1000, 42);
    std::sort(pi.begin(), pi.end());
    for (std::int64_t i = 0; i < 1000; ++i) ASSERT_EQ(pi[i], i);
    EXPECT_NE(null_permutation(1000, 42), null_permutation(1000, 43));
}
