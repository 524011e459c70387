#pragma once
// Dot products and sums of squares over contiguous doubles, in eight independent partial
// sums: a single running sum is a chain of dependent additions (4 cycles each) that ran
// these loops at a fraction of the core's speed, which showed in the bulge chase and in
// the Frobenius norms of the pr stage (BENCHMARKS.md, "Design measurements"). The result
// is the same on every call (fixed order); it differs from a left-to-right sum only by
// rounding.
#include <cstdint>

namespace ctscale::linalg {

inline double dot(std::int64_t n, const double* x, const double* y) {
    double s[8] = {};
    std::int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        for (int l = 0; l < 8; ++l) s[l] += x[i + l] * y[i + l];
    }
    for (; i < n; ++i) s[0] += x[i] * y[i];
    return ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
}

inline double sum_of_squares(std::int64_t n, const double* x) { return dot(n, x, x); }

/// Σ a(i, j)² over an m × n column-major block with leading dimension ld.
inline double sum_of_squares(std::int64_t m, std::int64_t n, const double* a, std::int64_t ld) {
    double s = 0.0;
    for (std::int64_t j = 0; j < n; ++j) s += sum_of_squares(m, a + j * ld);
    return s;
}

/// ‖G‖_F² of the symmetric k × k G from its lower triangle (column-major, ld).
inline double symmetric_sum_of_squares(std::int64_t k, const double* g, std::int64_t ld) {
    double diagonal = 0.0, below = 0.0;
    for (std::int64_t j = 0; j < k; ++j) {
        diagonal += g[j * ld + j] * g[j * ld + j];
        below += sum_of_squares(k - j - 1, g + j * ld + j + 1);
    }
    return diagonal + 2.0 * below;
}

}  // namespace ctscale::linalg
