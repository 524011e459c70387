#pragma once
// Shared by the one-process and the split paths of matrix_spectrum / split_spectrum.
#include <cstdint>
#include <vector>

#include "ctscale/spectral/spectral_result.hpp"

namespace ctscale::spectral {

/// Up to this Gram order the top eigenvalue comes from a dense solver (DSYEVR, IL = IU):
/// measured 0.05 s at k = 768–1024 and 0.15 s at 1536, against up to ~50 Lanczos passes
/// plus growing Rayleigh–Ritz solves for a flat-topped spectrum; Lanczos wins above.
inline constexpr std::int64_t dense_top_limit = 1024;
/// Below dense_top_limit (and from quick_lanczos_from up), one-process pr mode still tries
/// Lanczos first, with a short budget of quick_lanczos_basis vectors: the separated top of
/// a trained matrix converges in a few passes (gpt2-124m: the pr stage took 4.2 s with
/// DSYEVR for every 768-order Gram, 2.4 s this way), while a flat top (i.i.d. weights)
/// gives up within ~0.04 s and the dense solver takes over.
inline constexpr std::int64_t quick_lanczos_from = 128;
inline constexpr std::int64_t quick_lanczos_basis = 96;

/// The pr fields, and in full mode every other field from the Gram eigenvalues.
void finish_fields(SpectralResult& r, SpectralMode mode, const std::vector<double>& eigenvalues, double frobenius_sq,
                   double gram_sq, std::int64_t m, std::int64_t n);

}  // namespace ctscale::spectral
