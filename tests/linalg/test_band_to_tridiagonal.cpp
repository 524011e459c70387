// The threaded band → tridiagonal reduction: LAPACK's DSYTRD_SB2ST to rounding (the
// eigenvalues of the two tridiagonal matrices), and bitwise the same for any thread count
// (a task run out of its dependency order would change the result).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "ctscale/linalg/band_to_tridiagonal.hpp"
#include "ctscale/linalg/blas.hpp"
#include "ctscale/util/random.hpp"

extern "C" void dsytrd_sb2st_(const char* stage1, const char* vect, const char* uplo, const int* n, const int* kd,
                              double* ab, const int* ldab, double* d, double* e, double* hous, const int* lhous,
                              double* work, const int* lwork, int* info, std::size_t, std::size_t, std::size_t);
extern "C" void dsterf_(const int* n, double* d, double* e, int* info);

namespace {

struct Tridiagonal {
    std::vector<double> d, e;
};

/// A random symmetric band matrix of order n and half-bandwidth kd, lower storage (ldab = kd + 2:
/// a row of padding the routines must not read).
std::vector<double> random_band(int n, int kd, std::uint64_t seed) {
    ctscale::util::SplitMix64 random{seed};
    std::vector<double> band(static_cast<std::size_t>(kd + 2) * static_cast<std::size_t>(n));
    for (double& x : band) x = static_cast<double>(random.next() >> 11) * 0x1p-53 - 0.5;
    return band;
}

/// LAPACK's reduction on one BLAS thread (the kernels' rounding differs with threaded BLAS).
Tridiagonal lapack_reduction(int n, int kd, std::vector<double> band) {
    const ctscale::linalg::ScopedBlasThreads one_thread(1);
    const int ldab = kd + 2, query = -1;
    Tridiagonal t{std::vector<double>(static_cast<std::size_t>(n)), std::vector<double>(static_cast<std::size_t>(n))};
    double hous_size = 0, work_size = 0;
    int info = 0;
    dsytrd_sb2st_("N", "N", "L", &n, &kd, band.data(), &ldab, t.d.data(), t.e.data(), &hous_size, &query, &work_size,
                  &query, &info, 1, 1, 1);
    std::vector<double> hous(static_cast<std::size_t>(hous_size) + 1), work(static_cast<std::size_t>(work_size) + 1);
    const int lhous = static_cast<int>(hous.size()), lwork = static_cast<int>(work.size());
    dsytrd_sb2st_("N", "N", "L", &n, &kd, band.data(), &ldab, t.d.data(), t.e.data(), hous.data(), &lhous, work.data(),
                  &lwork, &info, 1, 1, 1);
    EXPECT_EQ(info, 0);
    return t;
}

Tridiagonal threaded_reduction(int n, int kd, const std::vector<double>& band, int threads) {
    Tridiagonal t{std::vector<double>(static_cast<std::size_t>(n)), std::vector<double>(static_cast<std::size_t>(n))};
    ctscale::linalg::band_to_tridiagonal(n, kd, band.data(), kd + 2, t.d.data(), t.e.data(), threads);
    return t;
}

/// Its eigenvalues, ascending.
std::vector<double> eigenvalues(Tridiagonal t) {
    const int n = static_cast<int>(t.d.size());
    int info = 0;
    dsterf_(&n, t.d.data(), t.e.data(), &info);
    EXPECT_EQ(info, 0);
    return t.d;
}

double frobenius(const std::vector<double>& band, int n, int kd) {
    double sum = 0.0;
    for (int j = 0; j < n; ++j) {
        for (int i = 0; i <= kd && j + i < n; ++i) sum += (i == 0 ? 1.0 : 2.0) * std::pow(band[j * (kd + 2) + i], 2);
    }
    return std::sqrt(sum);
}

}  // namespace

TEST(BandToTridiagonal, AgreesWithLapackAndIsBitwiseTheSameForAnyThreadCount) {
    const std::vector<std::pair<int, int>> shapes = {{1, 2},  {2, 2},   {3, 2},   {5, 8},    {7, 3},    {64, 2},
                                                     {65, 8}, {66, 64}, {200, 3}, {513, 16}, {700, 64}, {1500, 64}};
    for (const auto& [n, kd] : shapes) {
        const std::vector<double> band = random_band(n, kd, static_cast<std::uint64_t>(n * 131 + kd));
        const std::vector<double> want = eigenvalues(lapack_reduction(n, kd, band));
        const Tridiagonal one = threaded_reduction(n, kd, band, 1);
        const std::vector<double> got = eigenvalues(one);
        const double tolerance = 8.0 * n * 0x1p-52 * frobenius(band, n, kd);
        for (int i = 0; i < n; ++i) ASSERT_NEAR(got[i], want[i], tolerance) << "n " << n << " kd " << kd << " λ " << i;
        for (int threads = 2; threads <= 4; ++threads) {
            const Tridiagonal many = threaded_reduction(n, kd, band, threads);
            for (int i = 0; i < n; ++i) {
                ASSERT_EQ(many.d[i], one.d[i]) << "n " << n << " kd " << kd << " threads " << threads << " d " << i;
                if (i + 1 < n) {
                    ASSERT_EQ(many.e[i], one.e[i]) << "n " << n << " kd " << kd << " threads " << threads << " e " << i;
                }
            }
        }
    }
}

TEST(BandToTridiagonal, BandsOfWidthZeroAndOneAreCopiedOut) {
    for (const int kd : {0, 1}) {
        const std::vector<double> band = random_band(9, kd, 7);
        const Tridiagonal want = lapack_reduction(9, kd, band);
        const Tridiagonal got = threaded_reduction(9, kd, band, 2);
        for (int i = 0; i < 9; ++i) EXPECT_EQ(got.d[i], want.d[i]);
        for (int i = 0; i < 8; ++i) EXPECT_EQ(got.e[i], want.e[i]);
    }
}
