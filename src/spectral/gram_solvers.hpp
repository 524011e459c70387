#pragma once
// Shared by the one-process and the split paths of matrix_spectrum / split_spectrum.
#include <cstdint>
#include <vector>

#include "ctscale/spectral/spectral_result.hpp"

namespace ctscale::spectral {

/// Up to this Gram order the top eigenvalue comes from a dense solver (DSYEVR, IL = IU),
/// faster than the many Lanczos passes plus growing Rayleigh–Ritz solves a flat-topped
/// spectrum needs; Lanczos wins above (BENCHMARKS.md, "Design measurements").
inline constexpr std::int64_t dense_top_limit = 1024;
/// Below dense_top_limit (and from quick_lanczos_from up), one-process pr mode still tries
/// Lanczos first, with a short budget of quick_lanczos_basis vectors: the separated top of
/// a trained matrix converges in a few passes, much faster than DSYEVR, while a flat top
/// (i.i.d. weights) gives up soon and the dense solver takes over
/// (BENCHMARKS.md, "Design measurements").
inline constexpr std::int64_t quick_lanczos_from = 128;
inline constexpr std::int64_t quick_lanczos_basis = 96;

/// Whether a matrix analysed by all ranks has its k × k G summed onto one rank and solved
/// densely there: G fits that rank's budget (16·k² bytes with the summing buffers) and
/// pr mode does not start with distributed Lanczos. Otherwise G stays distributed.
inline bool gathers_gram(SpectralMode mode, std::int64_t k, std::int64_t memory_per_rank) {
    const bool lanczos_first = mode == SpectralMode::pr && k > dense_top_limit;
    return !lanczos_first && 16 * k * k <= memory_per_rank && k * k < (std::int64_t{1} << 31);
}

/// The pr fields, and in full mode every other field from the Gram eigenvalues.
void finish_fields(SpectralResult& r, SpectralMode mode, const std::vector<double>& eigenvalues, double frobenius_sq,
                   double gram_sq, std::int64_t m, std::int64_t n);

}  // namespace ctscale::spectral
