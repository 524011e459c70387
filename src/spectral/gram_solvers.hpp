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

/// Eigenvalues il..iu (ascending) of the k × k lower triangle of g (leading dimension k,
/// destroyed), without vectors: all by DSYEVR_2STAGE, some by DSYEVR.
std::vector<double> local_eigenvalues(double* g, std::int64_t k, std::int64_t il, std::int64_t iu);

/// The pr fields, and in full mode every other field from the Gram eigenvalues.
void finish_fields(SpectralResult& r, SpectralMode mode, const std::vector<double>& eigenvalues, double frobenius_sq,
                   double gram_sq, std::int64_t m, std::int64_t n);

}  // namespace ctscale::spectral
