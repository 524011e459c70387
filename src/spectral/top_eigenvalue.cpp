#include "ctscale/spectral/top_eigenvalue.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "ctscale/blacs/large_buffer.hpp"
#include "ctscale/error.hpp"
#include "ctscale/linalg/blas.hpp"
#include "ctscale/linalg/lapack.hpp"
#include "ctscale/util/random.hpp"

namespace ctscale::spectral {
namespace {

/// A column below this fraction of its length before orthogonalisation is dependent.
constexpr double dependent = 1e-10;

double norm(const double* v, std::int64_t n) {
    double s = 0.0;
    for (std::int64_t i = 0; i < n; ++i) s += v[i] * v[i];
    return std::sqrt(s);
}

void fill_random(double* v, std::int64_t n, util::SplitMix64& random) {
    for (std::int64_t i = 0; i < n; ++i) v[i] = static_cast<double>(random.next() >> 11) * 0x1p-52 - 1.0;
}

/// Z −= Q·(Qᵀ·Z) for the n × k basis Q and an n × w block Z.
void project_out(const double* q, std::int64_t n, std::int64_t k, double* z, std::int64_t w) {
    if (k == 0 || w == 0) return;
    std::vector<double> coefficients(static_cast<std::size_t>(k * w));
    linalg::gemm('T', 'N', k, w, n, 1.0, q, n, z, n, 0.0, coefficients.data(), k);
    linalg::gemm('N', 'N', n, w, k, -1.0, q, n, coefficients.data(), k, 1.0, z, n);
}

/// Orthonormalises columns [k, k + w) of q against [0, k) and each other (classical
/// Gram–Schmidt twice, "twice is enough"), keeping the independent ones packed at
/// [k, k + kept); a dependent column is replaced by a random direction while the space
/// is not exhausted. Returns kept.
std::int64_t extend_basis(double* q, std::int64_t n, std::int64_t k, std::int64_t w, util::SplitMix64& random) {
    std::vector<double> lengths(static_cast<std::size_t>(w));
    for (std::int64_t c = 0; c < w; ++c) lengths[c] = norm(q + (k + c) * n, n);
    project_out(q, n, k, q + k * n, w);
    project_out(q, n, k, q + k * n, w);
    std::int64_t kept = 0;
    for (std::int64_t c = 0; c < w; ++c) {
        double* z = q + (k + kept) * n;
        if (kept != c) std::copy_n(q + (k + c) * n, n, z);
        project_out(q + k * n, n, kept, z, 1);
        project_out(q + k * n, n, kept, z, 1);
        double length = norm(z, n);
        if (!(length > dependent * lengths[c])) {
            if (k + kept >= n) continue;
            fill_random(z, n, random);
            const double start = norm(z, n);
            project_out(q, n, k + kept, z, 1);
            project_out(q, n, k + kept, z, 1);
            length = norm(z, n);
            if (!(length > dependent * start)) continue;
        }
        for (std::int64_t i = 0; i < n; ++i) z[i] /= length;
        ++kept;
    }
    return kept;
}

/// The largest eigenvalue of the leading k × k block of h (leading dimension ld) and its
/// eigenvector in s (from a copy, which DSYEVR overwrites).
double largest_ritz_pair(const blacs::LargeVector<double>& h, std::int64_t k, std::int64_t ld, double* s) {
    std::vector<double> a(static_cast<std::size_t>(k * k));
    for (std::int64_t j = 0; j < k; ++j) std::copy_n(h.data() + j * ld, k, a.data() + j * k);
    return linalg::symmetric_eigenpair(k, a.data(), k, k, s);
}

}  // namespace

TopEigenvalue top_eigenvalue(std::int64_t n, const BlockOperator& apply, const KrylovSettings& settings,
                             const Replicate& replicate) {
    TopEigenvalue out;
    if (n <= 0) return out;
    const std::int64_t cap = std::min(n, std::max<std::int64_t>(1, settings.max_basis));
    const std::int64_t block = std::clamp<std::int64_t>(settings.block, 1, cap);
    // Q, Y = G·Q (n × columns, leading dimension n) and H = QᵀGQ (leading dimension
    // columns) grow as the basis does: most runs stop far below the cap.
    std::int64_t columns = 0;
    blacs::LargeVector<double> q, y, h;
    auto reserve = [&](std::int64_t needed) {
        if (needed <= columns) return;
        const std::int64_t grown = std::min(cap, std::max(needed, 2 * columns + 8 * block));
        q.resize(static_cast<std::size_t>(n * grown));
        y.resize(q.size());
        blacs::LargeVector<double> wider(static_cast<std::size_t>(grown * grown));
        for (std::int64_t j = 0; j < columns; ++j)
            std::copy_n(h.data() + j * columns, columns, wider.data() + j * grown);
        h.swap(wider);
        columns = grown;
    };
    std::vector<double> s, x(static_cast<std::size_t>(n)), gx(x.size());
    util::SplitMix64 random{settings.seed};
    auto share = [&](double* values, std::int64_t count) {
        if (replicate) replicate(values, count);
    };

    reserve(block);
    for (std::int64_t c = 0; c < block; ++c) fill_random(q.data() + c * n, n, random);
    std::int64_t width = extend_basis(q.data(), n, 0, block, random);
    share(q.data(), n * width);
    std::int64_t k = 0;
    while (true) {
        apply(q.data() + k * n, width, y.data() + k * n);
        // New columns of H = QᵀGQ, mirrored into the rows below; the diagonal block averaged.
        const std::int64_t ld = columns;
        linalg::gemm('T', 'N', k + width, width, n, 1.0, q.data(), n, y.data() + k * n, n, 0.0, h.data() + k * ld, ld);
        for (std::int64_t j = k; j < k + width; ++j) {
            for (std::int64_t i = 0; i < j; ++i) {
                const double v = i < k ? h[i + j * ld] : 0.5 * (h[i + j * ld] + h[j + i * ld]);
                h[i + j * ld] = h[j + i * ld] = v;
            }
        }
        k += width;
        s.resize(static_cast<std::size_t>(k));
        const double theta = largest_ritz_pair(h, k, ld, s.data());
        // True residual of the Ritz pair: G·x − θ·x with x = Q·s, G·x = Y·s.
        linalg::gemm('N', 'N', n, 1, k, 1.0, q.data(), n, s.data(), k, 0.0, x.data(), n);
        linalg::gemm('N', 'N', n, 1, k, 1.0, y.data(), n, s.data(), k, 0.0, gx.data(), n);
        for (std::int64_t i = 0; i < n; ++i) gx[i] -= theta * x[i];
        const double residual = norm(gx.data(), n) / norm(x.data(), n);
        const bool converged = k >= n || !(theta > 0.0) || residual <= settings.tolerance * theta;
        const std::int64_t next = std::min({block, cap - k, width});
        double decision[2] = {converged ? 1.0 : 0.0, 0.0};
        if (!converged && next > 0) {
            // The next block: the newest G·Q columns, orthonormalised against the basis.
            reserve(k + next);
            std::copy_n(y.data() + (k - width) * n, n * next, q.data() + k * n);
            decision[1] = static_cast<double>(extend_basis(q.data(), n, k, next, random));
        }
        share(decision, 2);
        out = {theta, residual, k, decision[0] != 0.0};
        width = static_cast<std::int64_t>(decision[1]);
        if (out.converged || width == 0) break;
        reserve(k + width);  // ranks whose own decision differed grow alike
        share(q.data() + k * n, n * width);
    }
    return out;
}

}  // namespace ctscale::spectral
