#include "ctscale/spectral/split_spectrum.hpp"

#include <mpi.h>

#include <algorithm>
#include <new>
#include <string>

#include "ctscale/blacs/gram.hpp"
#include "ctscale/blacs/line_exchange.hpp"
#include "ctscale/blacs/operations.hpp"
#include "ctscale/error.hpp"
#include "ctscale/linalg/blas.hpp"
#include "ctscale/linalg/lapack.hpp"
#include "ctscale/linalg/sums.hpp"
#include "ctscale/mpi/collective.hpp"
#include "ctscale/spectral/top_eigenvalue.hpp"
#include "all_eigenvalues.hpp"
#include "gram_solvers.hpp"

namespace ctscale::spectral {

StageGrids::StageGrids(const boost::mpi::communicator& comm)
    : column(comm, {comm.size(), 1}),
      line(comm, {1, comm.size()}),
      whole(comm, blacs::near_square_shape(comm.size())) {}

SplitSpectrum::SplitSpectrum(const blacs::DistributedMatrix& w, const StageGrids& grids, SpectralMode mode,
                             std::int64_t memory_per_rank, int solver)
    : mode_(mode), m_(w.rows()), n_(w.cols()), solver_(grids.line.my_col() == solver) {
    result_.grid = grids.line.shape().label();
    if (mode == SpectralMode::none || m_ == 0 || n_ == 0) return;
    const std::int64_t k = std::min(m_, n_);
    const MPI_Comm line = grids.line.communicator();
    const bool lanczos_first = mode == SpectralMode::pr && k > dense_top_limit;
    const bool gathered_fits = 16 * k * k <= memory_per_rank && k * k < (std::int64_t{1} << 31);
    frobenius_sq_ = blacs::sum_of_squares(w);
    result_.method = "gemm-reduce+";
    if (gathers_gram(mode, k, memory_per_rank)) {
        // G summed straight onto the solver; finish() solves it there.
        gathered_ = blacs::gram_lower_on(w, grids.line, solver);
        if (solver_) gram_sq_ = linalg::symmetric_sum_of_squares(k, gathered_.data(), k);
        if (mode != SpectralMode::full) result_.method += "dsyevr";  // full: named in finish(), with its threads
        return;
    }
    blacs::DistributedMatrix g = blacs::gram_layout(grids.line, k);
    blacs::gram_lower(w, g);
    gram_sq_ = blacs::gram_sum_of_squares(g);

    if (lanczos_first) {
        const TopEigenvalue top = top_eigenvalue(
            k, [&](const double* v, std::int64_t b, double* y) { blacs::gram_multiply(g, v, b, y); }, {},
            [&](double* values, std::int64_t count) {
                CTSCALE_MPI(MPI_Bcast(values, linalg::to_blas_int(count), MPI_DOUBLE, 0, line));
            });
        if (top.converged) {  // the same on every rank: rank 0's decision
            eigenvalues_ = {top.value};
            result_.method += "lanczos";
            return;
        }
    }
    const std::int64_t il = mode == SpectralMode::full ? 1 : k;
    if (gathered_fits) {  // Lanczos did not converge: the dense solve of pr mode
        gathered_ = blacs::gather_columns(g, solver);
        result_.method += "dsyevr";
        return;
    }
    blacs::DistributedMatrix square(grids.whole, k, k, 64, 64);
    blacs::redistribute(g, square, grids.line);
    // A PDSYEVR failure shows on the grid's processes only: agree before the broadcast.
    mpi::all_or_nothing(grids.line.communicator(), [&] {
        try {
            eigenvalues_ = blacs::symmetric_eigenvalues(square, il, k);
        } catch (const std::bad_alloc&) {
            throw LibraryError("pdsyevr: out of memory for a Gram matrix of order " + std::to_string(k));
        }
    });
    // Whole-grid processes hold them (rank 0 among them); every rank, the solver too, needs them.
    std::int64_t count = static_cast<std::int64_t>(eigenvalues_.size());
    CTSCALE_MPI(MPI_Bcast(&count, 1, MPI_INT64_T, 0, line));
    eigenvalues_.resize(static_cast<std::size_t>(count));
    CTSCALE_MPI(MPI_Bcast(eigenvalues_.data(), linalg::to_blas_int(count), MPI_DOUBLE, 0, line));
    result_.method += "pdsyevr";
    result_.grid = grids.whole.shape().label();
}

SplitSpectrum::SplitSpectrum(blacs::LargeVector<double> gram, std::int64_t m, std::int64_t n, const StageGrids& grids,
                             SpectralMode mode, int solver)
    : mode_(mode), m_(m), n_(n), solver_(grids.line.my_col() == solver) {
    result_.grid = grids.line.shape().label();
    result_.method = mode == SpectralMode::full ? "syrk-stream+" : "syrk-stream+dsyevr";
    if (!solver_) return;
    gathered_ = std::move(gram);
    const std::int64_t k = std::min(m, n);
    for (std::int64_t j = 0; j < k; ++j) frobenius_sq_ += gathered_[static_cast<std::size_t>(j * k + j)];
    gram_sq_ = linalg::symmetric_sum_of_squares(k, gathered_.data(), k);
}

SpectralResult SplitSpectrum::finish(int threads) {
    if (!solver_) return {};
    if (!gathered_.empty()) {
        const std::int64_t k = std::min(m_, n_);
        if (mode_ == SpectralMode::full) {
            eigenvalues_ = all_eigenvalues(gathered_.data(), k, threads);
            result_.method += all_eigenvalues_method(k, threads);
        } else {
            eigenvalues_ = linalg::symmetric_eigenvalues(k, gathered_.data(), k, k, k);
        }
        gathered_ = {};
    }
    if (mode_ != SpectralMode::none && m_ > 0 && n_ > 0) {
        finish_fields(result_, mode_, eigenvalues_, frobenius_sq_, gram_sq_, m_, n_);
    }
    return std::move(result_);
}

SpectralResult analyze_split(const blacs::DistributedMatrix& w_split, const StageGrids& grids, SpectralMode mode,
                             std::int64_t memory_per_rank) {
    SplitSpectrum split(w_split, grids, mode, memory_per_rank, 0);
    return split.finish();
}

}  // namespace ctscale::spectral
