#pragma once
/// The Gaussian basis Φ of docs/definitions.md §1 and its pseudo-inverse in factored form.
///
/// Φ = Q·R (Householder) and R = U_R·Σ·Vᵀ (SVD) give Φ = (Q·U_R)·Σ·Vᵀ without forming
/// ΦᵀΦ, so accuracy follows cond(Φ), not its square. With U_r the first r columns of
/// Q·U_R (singular values above 1e-12·σ_max), the minimum-norm amplitudes of a row w are
///   a = V_r Σ_r⁻¹ (U_rᵀ w)  and the residual  ‖w − Φa‖² = ‖w‖² − ‖U_rᵀ w‖²,
/// so one GEMM against U_r serves amplitudes and residuals alike.
#include <cstdint>
#include <vector>

namespace ctscale::fit {

struct GaussianBasis {
    std::int64_t cols = 0;             ///< n, the row width
    std::int64_t k = 0;                ///< K
    std::int64_t rank = 0;             ///< r: numerical rank of Φ
    double condition = 0;              ///< σ_max/σ_min of Φ (inf when σ_min = 0)
    std::vector<double> orthonormal;   ///< U_r, n×r column-major
    std::vector<double> coefficients;  ///< V_r Σ_r⁻¹, K×r column-major: a = coefficients · b

    static GaussianBasis build(std::int64_t cols, std::int64_t k, double width);
};

/// Φ itself (n×K column-major), for tests and references.
std::vector<double> gaussian_design(std::int64_t cols, std::int64_t k, double width);

/// The column permutation π of the null baseline (docs/definitions.md §2): Fisher–Yates driven by
/// SplitMix64 seeded with `seed`; w_null[j] = w[π[j]].
std::vector<std::int64_t> null_permutation(std::int64_t cols, std::uint64_t seed);

}  // namespace ctscale::fit
