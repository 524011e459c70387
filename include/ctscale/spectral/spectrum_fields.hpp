#pragma once
/// The docs/definitions.md §6 quantities derived from a matrix's singular values (full mode) and from
/// its Gram matrix (pr mode). Pure functions, shared by every execution path.
#include <cstdint>
#include <vector>

#include "ctscale/spectral/spectral_result.hpp"

namespace ctscale::spectral {

/// The continuous power-law fit of Clauset, Shalizi & Newman (2009) as docs/definitions.md §6 fixes it.
struct PowerLawFit {
    double alpha = not_computed;
    double ks = not_computed;    ///< D of the winning x_min
    double tail = not_computed;  ///< t, the tail size
    double x_min = not_computed;
};

/// Fits the tail of `values` (all > 0, any order). Candidates x_min are the distinct
/// values with t ≥ 10 values ≥ x_min; α = 1 + t/Σ ln(λ/x_min); D is the KS distance to
/// F(x) = 1 − (x/x_min)^(1−α); the smallest D wins, the smaller x_min on a tie.
/// NaN fields with fewer than 10 values (or when every candidate tail is constant).
PowerLawFit fit_power_law(std::vector<double> values);

/// pr-mode fields from ‖W‖_F², ‖G‖_F² and σ₁.
void fill_pr_fields(SpectralResult& result, double frobenius_sq, double gram_sq, double sigma1);

/// Every full-mode field (and spectral_norm, stable_rank) of an m × n matrix from its
/// min(m, n) singular values (descending) and ‖W‖_F². pr_sv is left as it is.
void fill_full_fields(SpectralResult& result, std::vector<double> singular_values, std::int64_t m, std::int64_t n,
                      double frobenius_sq);

/// Singular values, descending, from the ascending eigenvalues of the Gram matrix of an
/// m × n matrix, N = max(m, n): σᵢ = √λᵢ, except that values at the Gram route's
/// rounding floor are set to 0 — those with σᵢ ≤ min(√(N·ε), 1e-6)·σ₁ (see
/// spectral_stage.hpp, "Accuracy").
std::vector<double> singular_values_from_gram(const std::vector<double>& eigenvalues_ascending,
                                              std::int64_t larger_side);

}  // namespace ctscale::spectral
