#pragma once
/// LAPACK calls on column-major arrays; sizes narrowed through to_blas_int and every
/// `info` checked (a failure throws LibraryError naming the routine).
#include <cstdint>
#include <vector>

namespace ctscale::linalg {

/// In-place Householder QR of the m×n matrix `a` (m ≥ n, DGEQRF): R in the upper
/// triangle, the reflectors below it and their scalars in `tau` (n values).
void householder_qr(std::int64_t m, std::int64_t n, double* a, double* tau);

/// C = Q·C for the m×n matrix C (DORMQR), Q = H₁…H_k from householder_qr of an m×k matrix.
void apply_householder_q(std::int64_t m, std::int64_t n, std::int64_t k, const double* qr, const double* tau,
                         double* c);

struct SmallSvd {
    std::vector<double> u;      ///< n×n, column-major
    std::vector<double> sigma;  ///< n values, descending
    std::vector<double> vt;     ///< Vᵀ, n×n, column-major
};

/// Full SVD of a square n×n matrix (DGESDD; `a` is overwritten).
SmallSvd svd(std::int64_t n, double* a);

/// Eigenvalues il..iu (1-based, ascending) of the symmetric n×n matrix whose lower triangle
/// is in `a` (overwritten), without vectors (DSYEVR; all of them when il = 1, iu = n).
std::vector<double> symmetric_eigenvalues(std::int64_t n, double* a, std::int64_t lda, std::int64_t il,
                                          std::int64_t iu);

/// Eigenvalue `index` (1-based, ascending) of the symmetric n×n matrix whose lower triangle
/// is in `a` (overwritten), and its unit eigenvector in `vector` (n values) (DSYEVR).
double symmetric_eigenpair(std::int64_t n, double* a, std::int64_t lda, std::int64_t index, double* vector);

/// Reduces the symmetric n×n matrix in the lower triangle of `a` (overwritten) to a band of
/// kd sub-diagonals in LAPACK's lower band storage (`band`, ldab ≥ kd + 1): the first,
/// BLAS-3 stage of DSYTRD_2STAGE (DSYTRD_SY2SB), threaded as the BLAS is at the call.
void symmetric_to_band(std::int64_t n, std::int64_t kd, double* a, std::int64_t lda, double* band, std::int64_t ldab);

/// Eigenvalues of the symmetric tridiagonal matrix with diagonal d and sub-diagonal e (both
/// overwritten), ascending in d (DSTERF).
void tridiagonal_eigenvalues(std::int64_t n, double* d, double* e);

}  // namespace ctscale::linalg
