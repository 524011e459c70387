#pragma once
/// The spectrum of one matrix by the Gram route (docs/definitions.md §6), on one process with LAPACK
/// or split over all ranks. Both form G, the Gram matrix of the smaller side (order
/// k = min(m, n)), once — DSYRK on one process, blacs/gram.hpp over all ranks
/// (split_spectrum.hpp):
///  - pr:   pr_sv = ‖W‖_F⁴/‖G‖_F²; σ₁² = λ_max(G) by block Lanczos (top_eigenvalue.hpp)
///          for k > 1024 (in one process from k = 128, with a short budget up to 1024:
///          gram_solvers.hpp), densely (DSYEVR, IL = IU = k) otherwise or if Lanczos does
///          not converge; stable_rank = ‖W‖_F²/σ₁².
///  - full: every eigenvalue of G by the two-stage reduction and DSTERF (all_eigenvalues.hpp;
///          on one rank, after gathering G when it was formed by all ranks and fits the
///          memory budget twice over, with the cores of the node's idle ranks lent to its
///          first stage) or else PDSYEVR on the near-square grid; then spectrum_fields.hpp
///          for the rest. PDSYEVR is far slower than DSYEVR_2STAGE on one rank, and slower
///          still on 1×2 than on 1×1; a band of 64 instead of LAPACK's 16 and two threads
///          in the first stage widen the gap (BENCHMARKS.md, "Design measurements").
/// Accuracy: σ₁ to relative ~1e-12 (the largest eigenvalue of G is relatively accurate;
/// Lanczos stops at a relative residual of 1e-11). σᵢ = √λᵢ has absolute error about
/// ε·‖W‖²/σᵢ plus the rounding of G, at worst ~√(c·ε)·σ₁ (c modest) for σᵢ → 0: well
/// inside |σᵢ − σᵢ_ref| ≤ 1e-6·σ₁; the large σ of the power-law tail are relatively
/// accurate. Values at that rounding floor are reported as 0 (singular_values_from_gram),
/// so rank-deficient matrices keep their numerical rank.
#include <boost/mpi/communicator.hpp>
#include <cstdint>

#include "ctscale/blacs/distributed_matrix.hpp"
#include "ctscale/blacs/large_buffer.hpp"
#include "ctscale/spectral/spectral_result.hpp"
#include "ctscale/spectral/split_spectrum.hpp"

namespace ctscale::spectral {

/// One process: W is m × n, column-major with leading dimension ld ≥ max(1, m); grid "1x1".
/// `workspace`, if given, holds G and keeps its capacity for the next call; `threads` BLAS
/// threads reduce G in full mode (cores lent by idle ranks: spectral/core_loan.hpp).
SpectralResult analyze_local(const double* w, std::int64_t m, std::int64_t n, std::int64_t ld, SpectralMode mode,
                             blacs::LargeVector<double>* workspace = nullptr, int threads = 1);

/// The square block size for an m × n matrix on a 2-D grid of `shape`: 64, or less when
/// that would leave processes without blocks.
std::int64_t block_size_for(std::int64_t m, std::int64_t n, blacs::GridShape shape);

/// W in any 2-D block-cyclic layout (e.g. square blocks of block_size_for()): collective
/// over the processes of w's grid (others return an empty result at once), which build
/// their StageGrids, move W to the split layout with PDGEMR2D and run analyze_split
/// (split_spectrum.hpp). The
/// result is complete on the grid's first process only.
SpectralResult analyze_distributed(const blacs::DistributedMatrix& w, SpectralMode mode,
                                   std::int64_t memory_per_rank = std::int64_t{2} << 30);

}  // namespace ctscale::spectral
