#pragma once
// The second stage of the two-stage reduction (band → tridiagonal) on several threads.
#include <cstdint>

namespace ctscale::linalg {

/// The diagonal d (n) and off-diagonal e (n − 1) of a symmetric tridiagonal matrix
/// orthogonally similar to the band matrix `band` (lower storage: ldab ≥ kd + 1 rows, n
/// columns; not modified). The algorithm of LAPACK's DSYTRD_SB2ST (VECT = N, UPLO = L):
/// its kernels (DSB2ST_KERNELS) in C++, on `threads` threads in an order their data
/// dependencies allow: groups of 8 consecutive sweeps go round the threads, and a task of
/// sweep s runs once sweep s − 1 is two tasks ahead (the dependencies dsytrd_sb2st
/// declares to OpenMP, which Debian's OpenBLAS build leaves unused). Each task sees the
/// data it sees in the sequential order, so the result is bitwise the same for every
/// thread count on a given CPU; against LAPACK's it differs by rounding only (sums in
/// another order, FMA where the CPU has it).
void band_to_tridiagonal(std::int64_t n, int kd, const double* band, int ldab, double* d, double* e, int threads);

}  // namespace ctscale::linalg
