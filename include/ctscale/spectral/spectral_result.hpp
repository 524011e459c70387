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

/// The scalar fields of a spectrum, in the column order of /summary/matrices. This one list
/// declares the struct's members and the `spectral_fields` table that the results file, the
/// JSON dumps and the MPI serialization iterate, so a new field is added here only.
// clang-format off
#define CTSCALE_SINGULAR_VALUE_FIELDS(FIELD) \
    FIELD(pr_sv)             /* (Σσ²)²/Σσ⁴ = ‖W‖_F⁴/‖G‖_F² */                     \
    FIELD(spectral_norm)     /* σ₁ (not WeightWatcher's λ_max = σ₁²) */            \
    FIELD(stable_rank)       /* ‖W‖_F²/σ₁² */                                      \
    FIELD(effective_rank)    /* exp(−Σ pᵢ ln pᵢ), pᵢ = σᵢ/Σσ */                    \
    FIELD(nuclear_norm)      /* Σσ */                                              \
    FIELD(alpha)             /* power-law exponent of the ESD tail (Clauset et al.) */ \
    FIELD(alpha_ks)          /* its KS distance D */                               \
    FIELD(alpha_tail)        /* its tail size t */                                 \
    FIELD(alpha_weighted)    /* alpha·log10(λ_max) */                              \
    FIELD(log_spectral_norm) /* log10(λ_max), λ = σ²/N */                          \
    FIELD(mp_edge)           /* v·(1 + √(r/N))², v = ‖W‖_F²/(m·n) */               \
    FIELD(n_spikes)          /* #{λᵢ > mp_edge} */                                 \
    FIELD(mp_softrank)       /* mp_edge/λ_max */
// clang-format on

/// NaN where not computed: `pr` mode fills pr_sv, spectral_norm and stable_rank only.
struct SpectralResult {
#define CTSCALE_DECLARE_FIELD(name) double name = not_computed;
    CTSCALE_SINGULAR_VALUE_FIELDS(CTSCALE_DECLARE_FIELD)
#undef CTSCALE_DECLARE_FIELD
    std::string method;  ///< how: "dsyrk+lanczos", "gemm-reduce+dsytrd_2stage(2 threads)", "skipped: …"
    std::string grid;    ///< where: "1x1" (one rank), "1xP" (all ranks), "2x2" (PDSYEVR's grid)
    std::vector<double> singular_values;  ///< full mode: all min(m, n), descending
};

struct SpectralField {
    const char* name;
    double SpectralResult::*member;
};

/// Every scalar field with its column name, in CTSCALE_SINGULAR_VALUE_FIELDS order.
inline constexpr SpectralField spectral_fields[] = {
#define CTSCALE_FIELD_ENTRY(name) {#name, &SpectralResult::name},
    CTSCALE_SINGULAR_VALUE_FIELDS(CTSCALE_FIELD_ENTRY)
#undef CTSCALE_FIELD_ENTRY
};

}  // namespace ctscale::spectral
