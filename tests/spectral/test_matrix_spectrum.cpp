// One matrix by the Gram route: tiny matrices against Eigen's JacobiSVD on one process,
// the Gram identity for pr_sv, block Lanczos against a dense solver, and the path split
// over all ranks (1..4; every eigensolver it may choose) against the one-process path.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <boost/mpi/communicator.hpp>
#include <cmath>

#include "ctscale/blacs/distributed_matrix.hpp"
#include "ctscale/blacs/process_grid.hpp"
#include "ctscale/linalg/blas.hpp"
#include "ctscale/spectral/matrix_spectrum.hpp"
#include "ctscale/spectral/top_eigenvalue.hpp"
#include "ctscale/util/random.hpp"

using namespace ctscale;
using spectral::SpectralMode;
using spectral::SpectralResult;

namespace {

Eigen::MatrixXd random_matrix(std::int64_t m, std::int64_t n, std::uint64_t seed) {
    util::SplitMix64 random{seed};
    Eigen::MatrixXd w(m, n);
    for (std::int64_t j = 0; j < n; ++j) {
        for (std::int64_t i = 0; i < m; ++i) w(i, j) = static_cast<double>(random.next() >> 11) * 0x1p-53 - 0.5;
    }
    return w;
}

/// W = U·diag(s)·Vᵀ with orthonormal U, V from QR of random matrices.
Eigen::MatrixXd with_singular_values(std::int64_t m, std::int64_t n, const Eigen::VectorXd& s, std::uint64_t seed) {
    const std::int64_t r = s.size();
    Eigen::MatrixXd u = Eigen::HouseholderQR<Eigen::MatrixXd>(random_matrix(m, r, seed)).householderQ() *
                        Eigen::MatrixXd::Identity(m, r);
    Eigen::MatrixXd v = Eigen::HouseholderQR<Eigen::MatrixXd>(random_matrix(n, r, seed + 1)).householderQ() *
                        Eigen::MatrixXd::Identity(n, r);
    return u * s.asDiagonal() * v.transpose();
}

Eigen::VectorXd jacobi_sigma(const Eigen::MatrixXd& w) { return Eigen::JacobiSVD<Eigen::MatrixXd>(w).singularValues(); }

SpectralResult local(const Eigen::MatrixXd& w, SpectralMode mode) {
    return spectral::analyze_local(w.data(), w.rows(), w.cols(), std::max<Eigen::Index>(1, w.rows()), mode);
}

}  // namespace

TEST(TinyMatrices, AgreeWithEigenJacobiSvd) {
    std::vector<Eigen::MatrixXd> cases = {random_matrix(1, 1, 1),
                                          random_matrix(1, 5, 2),
                                          random_matrix(5, 1, 3),
                                          random_matrix(3, 5, 4),
                                          random_matrix(5, 3, 5),
                                          random_matrix(4, 4, 6),
                                          random_matrix(4, 2, 7) * random_matrix(2, 5, 8)};  // rank 2
    for (const auto& w : cases) {
        const Eigen::VectorXd sigma = jacobi_sigma(w);
        const double fro2 = w.squaredNorm();
        const SpectralResult full = local(w, SpectralMode::full);
        ASSERT_EQ(full.singular_values.size(), static_cast<std::size_t>(sigma.size()));
        for (Eigen::Index i = 0; i < sigma.size(); ++i) {
            EXPECT_NEAR(full.singular_values[i], sigma(i), 1e-7 * sigma(0)) << w.rows() << "x" << w.cols() << " σ" << i;
        }
        EXPECT_NEAR(full.spectral_norm, sigma(0), 1e-13 * sigma(0));
        EXPECT_NEAR(full.nuclear_norm, sigma.sum(), 1e-7 * sigma(0) * sigma.size());
        EXPECT_NEAR(full.stable_rank, fro2 / (sigma(0) * sigma(0)), 1e-12);
        EXPECT_NEAR(full.pr_sv, fro2 * fro2 / sigma.array().pow(4).sum(), 1e-12 * full.pr_sv);
        EXPECT_TRUE(std::isnan(full.alpha));  // fewer than 10 values
        EXPECT_EQ(full.grid, "1x1");
        const SpectralResult pr = local(w, SpectralMode::pr);
        EXPECT_NEAR(pr.spectral_norm, sigma(0), 1e-13 * sigma(0));
        EXPECT_EQ(pr.pr_sv, full.pr_sv);
        EXPECT_TRUE(std::isnan(pr.nuclear_norm));
        EXPECT_TRUE(pr.singular_values.empty());
    }
    // Rank 2: the zero σ are exact zeros, not the Gram route's rounding noise.
    const SpectralResult deficient = local(cases.back(), SpectralMode::full);
    EXPECT_EQ(deficient.singular_values[2], 0.0);
    EXPECT_EQ(deficient.singular_values[3], 0.0);
}

TEST(GramIdentity, PrSvEqualsTheSvdFormula) {
    for (auto [m, n] : {std::pair{40, 30}, std::pair{30, 40}, std::pair{64, 64}}) {
        const Eigen::MatrixXd w = random_matrix(m, n, 11 + m);
        const Eigen::VectorXd s2 = jacobi_sigma(w).array().square();
        const double expected = s2.sum() * s2.sum() / s2.array().square().sum();
        EXPECT_NEAR(local(w, SpectralMode::pr).pr_sv, expected, 1e-10 * expected) << m << "x" << n;
    }
}

TEST(BlockLanczos, TopEigenvalueOfGramMatricesIncludingTiesAndRankDeficiency) {
    Eigen::VectorXd tied = Eigen::VectorXd::LinSpaced(280, 1.0, 0.01);
    tied(1) = tied(2) = 1.0;  // σ₁ = σ₂ = σ₃
    tied(3) = 1.0 - 1e-9;
    Eigen::VectorXd low = Eigen::VectorXd::LinSpaced(5, 3.0, 1.0);  // rank 5 in 300 × 290
    const std::vector<Eigen::MatrixXd> cases = {random_matrix(400, 300, 21), random_matrix(500, 270, 22),
                                                with_singular_values(300, 280, tied, 23),
                                                with_singular_values(300, 290, low, 24), random_matrix(40, 7, 25)};
    for (const auto& w : cases) {
        const Eigen::MatrixXd g = w.transpose() * w;
        const double expected =
            Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(g, Eigen::EigenvaluesOnly).eigenvalues().maxCoeff();
        const spectral::TopEigenvalue top =
            spectral::top_eigenvalue(g.rows(), [&](const double* v, std::int64_t b, double* y) {
                Eigen::Map<Eigen::MatrixXd>(y, g.rows(), b) = g * Eigen::Map<const Eigen::MatrixXd>(v, g.rows(), b);
            });
        EXPECT_TRUE(top.converged) << w.rows() << "x" << w.cols();
        EXPECT_LE(top.residual, 1e-11 * top.value);
        EXPECT_NEAR(top.value, expected, 1e-11 * expected) << w.rows() << "x" << w.cols();
    }
    // The spectrum of a zero operator, and a block larger than the space.
    const spectral::TopEigenvalue zero =
        spectral::top_eigenvalue(5, [](const double*, std::int64_t b, double* y) { std::fill(y, y + 5 * b, 0.0); });
    EXPECT_TRUE(zero.converged);
    EXPECT_EQ(zero.value, 0.0);
}

TEST(FullSpectrum, TwoStageReductionOnOneOrTwoThreadsGivesKnownSingularValues) {
    // σ spread over four decades, repeated values, and a zero: 300 values of a 420 × 300 W.
    Eigen::VectorXd s(300);
    for (Eigen::Index i = 0; i < s.size(); ++i) s(i) = 5.0 * std::pow(1e-4, double(i / 2) / 150.0);
    s(299) = 0.0;
    const Eigen::MatrixXd w = with_singular_values(420, 300, s, 41);
    for (int threads : {1, 2}) {  // k = 300: too small for a second thread to be used
        const SpectralResult full =
            spectral::analyze_local(w.data(), w.rows(), w.cols(), w.rows(), SpectralMode::full, nullptr, threads);
        EXPECT_EQ(full.method, "dsyrk+dsytrd_2stage");
        ASSERT_EQ(full.singular_values.size(), 300u);
        double worst = 0.0;
        for (std::size_t i = 0; i < 300; ++i) worst = std::max(worst, std::abs(full.singular_values[i] - s(i)));
        // √(ε)-level for σ → 0 through the Gram matrix, far inside the 1e-6·σ₁ bound
        // of docs/definitions.md §8.
        EXPECT_LT(worst, 1e-7 * s(0)) << threads << " threads";
        EXPECT_NEAR(full.singular_values[0], s(0), 1e-13 * s(0));
    }
    EXPECT_EQ(ctscale::linalg::blas_threads(), 1) << "the thread count is restored";
}

TEST(FullSpectrum, LentThreadsReduceLargeGramMatricesToTheSameSpectrum) {
    boost::mpi::communicator world;
    if (world.size() > 1) GTEST_SKIP() << "one process is enough (and the others would share its cores)";
    const Eigen::MatrixXd w = random_matrix(2048, 2048, 43);
    const SpectralResult one = local(w, SpectralMode::full);
    const SpectralResult two =
        spectral::analyze_local(w.data(), w.rows(), w.cols(), w.rows(), SpectralMode::full, nullptr, 2);
    EXPECT_EQ(one.method, "dsyrk+dsytrd_2stage");
    EXPECT_EQ(two.method, "dsyrk+dsytrd_2stage(2 threads)");
    ASSERT_EQ(two.singular_values.size(), one.singular_values.size());
    double worst = 0.0;
    for (std::size_t i = 0; i < one.singular_values.size(); ++i) {
        worst = std::max(worst, std::abs(two.singular_values[i] - one.singular_values[i]));
    }
    EXPECT_LT(worst, 1e-10 * one.spectral_norm);
    EXPECT_EQ(ctscale::linalg::blas_threads(), 1) << "the thread count is restored";
}

TEST(BlockLanczos, UsedAboveTheDenseLimitAndAgreesWithTheFullSpectrum) {
    const Eigen::MatrixXd w = random_matrix(1100, 1030, 26);
    const SpectralResult pr = local(w, SpectralMode::pr), full = local(w, SpectralMode::full);
    EXPECT_EQ(pr.method, "dsyrk+lanczos");
    EXPECT_EQ(full.method, "dsyrk+dsytrd_2stage");
    EXPECT_NEAR(pr.spectral_norm, full.spectral_norm, 1e-11 * full.spectral_norm);
    EXPECT_EQ(pr.pr_sv, full.pr_sv);
    const Eigen::MatrixXd small = random_matrix(300, 280, 27);
    EXPECT_EQ(local(small, SpectralMode::pr).method, "dsyrk+dsyevr");
}

TEST(SplitOverAllRanks, AgreesWithLapackForEveryEigenSolver) {
    boost::mpi::communicator world;
    const spectral::StageGrids grids(world);
    const std::vector<Eigen::MatrixXd> cases = {
        random_matrix(1, 7, 31),   random_matrix(7, 1, 32),       random_matrix(5, 3, 33),    random_matrix(3, 5, 34),
        random_matrix(37, 23, 35), random_matrix(1100, 1030, 36), random_matrix(265, 310, 37)};
    for (const auto& w : cases) {
        const bool tall = w.rows() >= w.cols();
        const std::int64_t p = world.size();
        // Row blocks (the read layout) of a tall W, column blocks of a wide one.
        blacs::DistributedMatrix a =
            tall ? blacs::DistributedMatrix::row_blocks(grids.column, w.rows(), w.cols())
                 : blacs::DistributedMatrix(grids.line, w.rows(), w.cols(), w.rows(), (w.cols() + p - 1) / p);
        for (std::int64_t j = 0; j < a.local_cols(); ++j) {
            for (std::int64_t i = 0; i < a.local_rows(); ++i) a.local(i, j) = w(a.global_row(i), a.global_col(j));
        }
        // A roomy budget gathers G onto rank 0; 1 KiB sends every G beyond 8 × 8 to PDSYEVR.
        for (std::int64_t memory : {std::int64_t{1} << 30, std::int64_t{1024}}) {
            for (SpectralMode mode : {SpectralMode::pr, SpectralMode::full}) {
                const SpectralResult got = spectral::analyze_split(a, grids, mode, memory);
                if (world.rank() != 0) continue;
                const SpectralResult ref = local(w, mode);
                const std::string label = std::to_string(w.rows()) + "x" + std::to_string(w.cols()) + " " + got.method;
                const bool lanczos = mode == SpectralMode::pr && std::min(w.rows(), w.cols()) > 1024;
                const bool pdsyevr = !lanczos && std::min(w.rows(), w.cols()) > 8 && memory < 2048;
                EXPECT_EQ(got.method,
                          std::string("gemm-reduce+") +
                              (lanczos                                                             ? "lanczos"
                               : pdsyevr                                                           ? "pdsyevr"
                               : mode == SpectralMode::full && std::min(w.rows(), w.cols()) >= 256 ? "dsytrd_2stage"
                                                                                                   : "dsyevr"));
                EXPECT_EQ(got.grid, pdsyevr ? blacs::near_square_shape(p).label() : "1x" + std::to_string(p));
                EXPECT_NEAR(got.spectral_norm, ref.spectral_norm, 1e-11 * ref.spectral_norm) << label;
                EXPECT_NEAR(got.pr_sv, ref.pr_sv, 1e-11 * ref.pr_sv) << label;
                ASSERT_EQ(got.singular_values.size(), ref.singular_values.size()) << label;
                for (std::size_t i = 0; i < got.singular_values.size(); ++i) {
                    EXPECT_NEAR(got.singular_values[i], ref.singular_values[i], 1e-9 * ref.spectral_norm) << label;
                }
                if (mode == SpectralMode::full && std::min(w.rows(), w.cols()) >= 10) {
                    EXPECT_NEAR(got.alpha, ref.alpha, 1e-8 * ref.alpha) << label;
                    EXPECT_EQ(got.n_spikes, ref.n_spikes) << label;
                }
            }
        }
    }
}
