#pragma once
// Every eigenvalue of a dense symmetric Gram matrix, without vectors: the full-mode solve
// of the one-process and the gathered paths.
#include <cstdint>
#include <string>
#include <vector>

namespace ctscale::spectral {

/// Every eigenvalue (ascending) of the k × k lower triangle of g (leading dimension k,
/// destroyed): the two-stage Householder reduction (to a band of width 64, then to
/// tridiagonal form; both stages on `offered_threads` threads from k = 2048 on), then
/// DSTERF — the algorithm of DSYEVR_2STAGE (JOBZ = N) with a wider band; DSYEVR for
/// k < 256 (as it is). Accuracy: backward stable, |λᵢ − λᵢ_exact| ≲ k·ε·‖G‖.
std::vector<double> all_eigenvalues(double* g, std::int64_t k, int offered_threads);

/// How all_eigenvalues solves order k: "dsyevr", or "dsytrd_2stage" with its thread count
/// when more than one ("dsytrd_2stage(2 threads)").
std::string all_eigenvalues_method(std::int64_t k, int offered_threads);

}  // namespace ctscale::spectral
