#pragma once
/// The spectral stage (docs/definitions.md §6, docs/computation.md): every selected matrix's
/// singular-value statistics.
///
/// Data path: each matrix is read with the docs/computation.md row partition (collective row-block
/// reads, converted to double per sub-block). Kept row-major as read, a rank's rows are
/// the column-major block of Wᵀ on a 1×P BLACS grid (the P×1 block layout of W, seen
/// transposed; every spectral field of Wᵀ equals that of W), so nothing is transposed.
/// The large matrices (schedule.hpp) are then analysed by all ranks together: the Gram
/// product straight from those blocks (after PDGEMR2D to row blocks of Wᵀ when m < n),
/// see blacs/gram.hpp. The others move whole onto one rank each (PDGEMR2D onto a 1×1
/// grid) and run concurrently, one per rank and round, with plain LAPACK.
///
/// Method and accuracy: matrix_spectrum.hpp. In short: G = the Gram matrix of the smaller
/// side; pr mode: pr_sv = ‖W‖_F⁴/‖G‖_F², σ₁ = √λ_max(G) by block Lanczos with a residual
/// stop (dense DSYEVR for small G); full mode: all eigenvalues of G (DSYEVR_2STAGE, or
/// PDSYEVR on the near-square grid when G exceeds the memory budget), σᵢ = √λᵢ. σ₁ and
/// the Gram PR to ~1e-12 relative; every σᵢ far inside |σᵢ − σᵢ_ref| ≤ 1e-6·σ₁; σ at the
/// Gram route's rounding floor (≤ min(√(N·ε), 1e-6)·σ₁) are reported as exact zeros.
#include <boost/mpi/communicator.hpp>
#include <cstdint>
#include <functional>
#include <vector>

#include "ctscale/io/checkpoint.hpp"
#include "ctscale/spectral/spectral_result.hpp"

namespace ctscale::spectral {

/// Called on rank 0 after each batch of matrices: matrices finished so far, and the work
/// done and in all, in estimated flops (spectral_cost in schedule.hpp).
using SpectralProgress = std::function<void(std::size_t done, double work_done, double work_total)>;

/// Called on rank 0 with each matrix's result as soon as rank 0 has it (after its batch):
/// the index in `matrices` and the result.
using SpectralRecorder = std::function<void(std::size_t index, const SpectralResult& result)>;

/// Collective over `comm`. Returns, on rank 0, one result per matrix in the order of
/// `matrices` (empty on other ranks); every field NaN and method "none" in mode none.
/// A matrix with NaN/Inf values gets NaN fields and method "skipped: non-finite values".
/// Errors (HDF5 reads, ScaLAPACK/LAPACK info ≠ 0) are thrown on every rank alike.
std::vector<SpectralResult> run_spectral_stage(const io::Checkpoint& checkpoint,
                                               const std::vector<io::TensorInfo>& matrices, SpectralMode mode,
                                               std::int64_t memory_per_rank, const boost::mpi::communicator& comm,
                                               const SpectralProgress& progress = {},
                                               const SpectralRecorder& finished = {});

}  // namespace ctscale::spectral
