#pragma once
/// One matrix analysed by all ranks together (the large ones, docs/computation.md): the Gram product
/// over every rank (blacs/gram.hpp), then σ₁ by distributed block Lanczos (pr), or a dense
/// eigensolve of G — gathered onto one `solver` rank (all_eigenvalues), or by PDSYEVR on the
/// near-square grid when G exceeds the memory budget. The gathered solve is deferred to
/// finish(), so the stage can hand consecutive matrices to different solver ranks and let
/// their dense solves run concurrently. Method and accuracy: matrix_spectrum.hpp.
#include <boost/mpi/communicator.hpp>
#include <cstdint>
#include <vector>

#include "ctscale/blacs/distributed_matrix.hpp"
#include "ctscale/blacs/large_buffer.hpp"
#include "ctscale/spectral/spectral_result.hpp"

namespace ctscale::spectral {

/// The grids of the spectral stage over one communicator (collective to build): a column
/// (P×1: row blocks of a tall matrix); a line (1×P: Wᵀ as read, the Gram layout, and
/// PDGEMR2D's global context — ScaLAPACK would reshape any other on every call); and the
/// near-square whole grid (PDSYEVR).
struct StageGrids {
    explicit StageGrids(const boost::mpi::communicator& comm);
    blacs::ProcessGrid column, line, whole;
};

class SplitSpectrum {
public:
    /// Collective over every rank. W is split along its longer side: row blocks on
    /// grids.column when m ≥ n, column blocks on grids.line when m ≤ n. `memory_per_rank`
    /// bounds the gathered G (16·k² bytes with the solver's copy).
    SplitSpectrum(const blacs::DistributedMatrix& w_split, const StageGrids& grids, SpectralMode mode,
                  std::int64_t memory_per_rank, int solver);
    /// From G already summed onto `solver` (k × k lower triangle, k = min(m, n); empty
    /// elsewhere): the dense solve in finish(); ‖W‖_F² is G's trace.
    SplitSpectrum(blacs::LargeVector<double> gram, std::int64_t m, std::int64_t n, const StageGrids& grids,
                  SpectralMode mode, int solver);
    /// On the solver rank: the gathered eigensolve if one is pending (its reduction on
    /// `threads` BLAS threads), then every field. Elsewhere: an empty result.
    SpectralResult finish(int threads = 1);

private:
    SpectralResult result_;
    SpectralMode mode_;
    std::int64_t m_, n_;
    double frobenius_sq_ = 0.0, gram_sq_ = 0.0;
    bool solver_ = false;
    std::vector<double> eigenvalues_;      ///< when already known
    blacs::LargeVector<double> gathered_;  ///< G on the solver, to solve in finish()
};

/// SplitSpectrum with solver rank 0, finished at once: complete on rank 0 only.
SpectralResult analyze_split(const blacs::DistributedMatrix& w_split, const StageGrids& grids, SpectralMode mode,
                             std::int64_t memory_per_rank);

}  // namespace ctscale::spectral
