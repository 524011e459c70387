#pragma once
/// The spectral fields of one weight matrix (docs/definitions.md §6, hdf5_schemas/README.md /summary/matrices).
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace ctscale::spectral {

/// `--spectral none|pr|full`.
enum class SpectralMode { none, pr, full };

/// "none", "pr" or "full".
std::string name_of(SpectralMode mode);
/// Parses "none", "pr" or "full"; throws UsageError otherwise.
SpectralMode parse_spectral_mode(const std::string& text);

inline constexpr double not_computed = std::numeric_limits<double>::quiet_NaN();

/// NaN where not computed: `pr` mode fills pr_sv, spectral_norm and stable_rank only.
struct SpectralResult {
    double pr_sv = not_computed;              ///< (Σσ²)²/Σσ⁴ = ‖W‖_F⁴/‖G‖_F²
    double spectral_norm = not_computed;      ///< σ₁ (not WeightWatcher's λ_max = σ₁²)
    double stable_rank = not_computed;        ///< ‖W‖_F²/σ₁²
    double effective_rank = not_computed;     ///< exp(−Σ pᵢ ln pᵢ), pᵢ = σᵢ/Σσ
    double nuclear_norm = not_computed;       ///< Σσ
    double alpha = not_computed;              ///< power-law exponent of the ESD tail (Clauset et al.)
    double alpha_ks = not_computed;           ///< its KS distance D
    double alpha_tail = not_computed;         ///< its tail size t
    double alpha_weighted = not_computed;     ///< alpha·log10(λ_max)
    double log_spectral_norm = not_computed;  ///< log10(λ_max), λ = σ²/N
    double mp_edge = not_computed;            ///< v·(1 + √(r/N))², v = ‖W‖_F²/(m·n)
    double n_spikes = not_computed;           ///< #{λᵢ > mp_edge}
    double mp_softrank = not_computed;        ///< mp_edge/λ_max
    std::string method;  ///< how: "dsyrk+lanczos", "gemm-reduce+dsytrd_2stage(2 threads)", "skipped: …"
    std::string grid;    ///< where: "1x1" (one rank), "1xP" (all ranks), "2x2" (PDSYEVR's grid)
    std::vector<double> singular_values;  ///< full mode: all min(m, n), descending
};

}  // namespace ctscale::spectral
