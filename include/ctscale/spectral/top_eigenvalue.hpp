#pragma once
/// The largest eigenvalue of a symmetric positive semidefinite operator by block Lanczos
/// (block Krylov with full reorthogonalisation and Rayleigh–Ritz), stopped on the true
/// residual: ‖G·x − θ·x‖ ≤ tolerance·θ for the Ritz pair (θ, x). Then some eigenvalue lies
/// within tolerance·θ of θ (Bauer–Fike for symmetric G), and a random start block makes
/// it the largest. Blocks of 8 vectors turn each pass over G into a GEMM and converge
/// with the gap between λ₁ and λ₉, so σ₁ ≈ σ₂ costs nothing extra (docs/definitions.md §6).
/// Blocks of 16 need a larger basis and more time, since the Rayleigh–Ritz solves grow
/// with the basis (BENCHMARKS.md, "Design measurements").
#include <cstdint>
#include <functional>

#include "ctscale/spectral/spectral_result.hpp"

namespace ctscale::spectral {

/// Y = G·V for an n × b block V (column-major, leading dimension n).
using BlockOperator = std::function<void(const double* v, std::int64_t b, double* y)>;
/// Makes the first process's copy of `values` every process's (a broadcast; nothing to do
/// for one process): the basis and the stop decision are shared this way, so processes
/// of a grid iterate in lockstep even if their arithmetic differs in the last bit.
using Replicate = std::function<void(double* values, std::int64_t count)>;

struct KrylovSettings {
    double tolerance = 1e-11;  ///< relative residual; σ₁ is then good to about 5e-12
    std::int64_t block = 8;
    std::int64_t max_basis = 1536;    ///< beyond it, give up (the caller falls back to a dense solver)
    std::uint64_t seed = 0x5EED5EED;  ///< start block: fixed, so runs are reproducible
};

struct TopEigenvalue {
    double value = not_computed;     ///< θ, the largest Ritz value
    double residual = not_computed;  ///< ‖G·x − θ·x‖, ‖x‖ = 1
    std::int64_t basis = 0;          ///< dimension of the final subspace
    bool converged = false;
};

/// Collective over the processes that share `apply` (every one runs the same iteration on
/// the same replicated vectors). Returns converged = false after max_basis vectors.
TopEigenvalue top_eigenvalue(std::int64_t n, const BlockOperator& apply, const KrylovSettings& settings = {},
                             const Replicate& replicate = {});

}  // namespace ctscale::spectral
