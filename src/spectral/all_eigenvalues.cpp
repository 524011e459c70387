#include "all_eigenvalues.hpp"

#include <algorithm>

#include "ctscale/linalg/band_to_tridiagonal.hpp"
#include "ctscale/linalg/blas.hpp"
#include "ctscale/linalg/lapack.hpp"

namespace ctscale::spectral {
namespace {

/// Band width of the first stage. LAPACK's default for DSYTRD_2STAGE is 16, which leaves
/// the BLAS-3 first stage short of its speed: 32 and 64 do better in all, and 64 better
/// still with two threads for the first stage, though the second stage grows with kd
/// (BENCHMARKS.md, "Design measurements").
constexpr int band_width = 64;
/// Below this order the one-stage reduction is as fast (and the band would be most of G).
constexpr std::int64_t two_stage_from = 4 * band_width;
/// Below this order a second thread does not pay for itself: at small k it slows the first
/// stage and leaves the second unchanged; its gain grows with k (BENCHMARKS.md, "Design measurements").
constexpr std::int64_t threaded_from = 2048;

int threads_for(std::int64_t k, int offered) { return k >= threaded_from ? offered : 1; }

}  // namespace

std::vector<double> all_eigenvalues(double* g, std::int64_t k, int offered_threads) {
    if (k < two_stage_from) return linalg::symmetric_eigenvalues(k, g, k, 1, k);  // too small to share out
    const std::int64_t kd = band_width, ldab = band_width + 1;
    const int threads = threads_for(k, offered_threads);
    const auto order = static_cast<std::size_t>(k);
    std::vector<double> band(static_cast<std::size_t>(ldab) * order), d(order), e(order);
    {
        // Stage 1, G → band (BLAS-3): the stage that gains from more threads.
        const linalg::ScopedBlasThreads blas_threads(threads);
        linalg::symmetric_to_band(k, kd, g, k, band.data(), ldab);
    }
    // Stage 2, band → tridiagonal: bulge chasing, sweeps pipelined over the same threads.
    linalg::band_to_tridiagonal(k, kd, band.data(), ldab, d.data(), e.data(), threads);
    linalg::tridiagonal_eigenvalues(k, d.data(), e.data());
    return d;
}

std::string all_eigenvalues_method(std::int64_t k, int offered_threads) {
    if (k < two_stage_from) return "dsyevr";
    std::string method = "dsytrd_2stage";
    if (const int threads = threads_for(k, offered_threads); threads > 1) {
        method += '(';
        method += std::to_string(threads);
        method += " threads)";
    }
    return method;
}

}  // namespace ctscale::spectral
