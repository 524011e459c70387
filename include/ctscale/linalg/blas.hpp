#pragma once
/// The BLAS calls ctscale makes, on column-major arrays, with 64-bit sizes narrowed to
/// BLAS ints through a checked helper.
#include <cstdint>

namespace ctscale::linalg {

/// Narrows a size to a BLAS/LAPACK int; throws Error when it does not fit.
int to_blas_int(std::int64_t value);

/// C = alpha·op(A)·op(B) + beta·C (column-major; op = 'N' or 'T').
void gemm(char trans_a, char trans_b, std::int64_t m, std::int64_t n, std::int64_t k, double alpha, const double* a,
          std::int64_t lda, const double* b, std::int64_t ldb, double beta, double* c, std::int64_t ldc);

/// C = A·B for the symmetric m × m A held in its lower triangle, B and C m × n (DSYMM).
void symm_lower(std::int64_t m, std::int64_t n, const double* a, std::int64_t lda, const double* b, std::int64_t ldb,
                double* c, std::int64_t ldc);

/// C = alpha·A·Aᵀ + beta·C ('N') or alpha·Aᵀ·A + beta·C ('T'), upper triangle only
/// (column-major, C n×n); half the flops of the GEMM.
void syrk_upper(char trans, std::int64_t n, std::int64_t k, double alpha, const double* a, std::int64_t lda,
                double beta, double* c, std::int64_t ldc);
/// The same, lower triangle only.
void syrk_lower(char trans, std::int64_t n, std::int64_t k, double alpha, const double* a, std::int64_t lda,
                double beta, double* c, std::int64_t ldc);

/// Sets the BLAS thread count when the library is OpenBLAS (a no-op otherwise): runs
/// with the same rank count stay bitwise identical only with a fixed thread count.
void set_blas_threads(int threads);
/// The BLAS thread count (1 when the library cannot tell).
int blas_threads();

/// Sets the BLAS thread count for a scope and restores the previous one after it.
class ScopedBlasThreads {
public:
    explicit ScopedBlasThreads(int threads) : previous_(blas_threads()) { set_blas_threads(threads); }
    ~ScopedBlasThreads() { set_blas_threads(previous_); }
    ScopedBlasThreads(const ScopedBlasThreads&) = delete;
    ScopedBlasThreads& operator=(const ScopedBlasThreads&) = delete;

private:
    int previous_;
};
/// "OpenBLAS 0.3.21 ..." or "unknown".
const char* blas_vendor();

}  // namespace ctscale::linalg
