#include "ctscale/fit/banded_design.hpp"

#include <immintrin.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

namespace ctscale::fit {
namespace {

constexpr std::int64_t tile_width = BandedDesign::tile_columns;
static_assert(tile_width == 8, "the FMA kernel holds a tile row in two 4-double vectors");

/// Rows of W multiplied together against one tile: their accumulators (two 4-double
/// vectors per row), two tile vectors and a broadcast fill 15 of AVX2's 16 registers.
constexpr int group = 6;

/// out[r][c] = Σ_j w[r·ldw + j]·t[j·8 + c] for r < R, j < length, c < 8 (one tile row per
/// j). A tile is a few hundred × 8: OpenBLAS would pack both operands on every call, which
/// costs as much as the product; here each j step is two vector loads of the tile, shared
/// by R rows. Every output is the same chain acc = fma(w_j, t_jc, acc) over j = 0, 1, …
/// whatever R is, so a row's result does not depend on its place in the block (or on the
/// rank count).
template <int R>
__attribute__((target("avx2,fma"))) void tile_rows_fma(const double* w, std::int64_t ldw, const double* t,
                                                       std::int64_t length, double* out) {
    // Unrolled over r so that the accumulators live in registers, not on the stack.
    __m256d low[R], high[R];
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) low[r] = high[r] = _mm256_setzero_pd();
    for (std::int64_t j = 0; j < length; ++j) {
        const __m256d t0 = _mm256_loadu_pd(t + tile_width * j), t1 = _mm256_loadu_pd(t + tile_width * j + 4);
#pragma GCC unroll 8
        for (int r = 0; r < R; ++r) {
            const __m256d x = _mm256_broadcast_sd(w + r * ldw + j);
            low[r] = _mm256_fmadd_pd(x, t0, low[r]);
            high[r] = _mm256_fmadd_pd(x, t1, high[r]);
        }
    }
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
        _mm256_storeu_pd(out + tile_width * r, low[r]);
        _mm256_storeu_pd(out + tile_width * r + 4, high[r]);
    }
}

/// The same product for CPUs without AVX2/FMA (separate multiply and add).
template <int R>
void tile_rows_portable(const double* w, std::int64_t ldw, const double* t, std::int64_t length, double* out) {
    double acc[R][tile_width] = {};
    for (std::int64_t j = 0; j < length; ++j) {
        for (int r = 0; r < R; ++r) {
            const double x = w[r * ldw + j];
            for (std::int64_t c = 0; c < tile_width; ++c) acc[r][c] += x * t[tile_width * j + c];
        }
    }
    for (int r = 0; r < R; ++r) std::copy_n(acc[r], tile_width, out + tile_width * r);
}

using TileRows = void (*)(const double*, std::int64_t, const double*, std::int64_t, double*);

/// Kernels for R = 1 … group rows, indexed by R − 1.
template <std::size_t... I>
constexpr std::array<TileRows, group> fma_kernels(std::index_sequence<I...>) {
    return {tile_rows_fma<int(I) + 1>...};
}
template <std::size_t... I>
constexpr std::array<TileRows, group> portable_kernels(std::index_sequence<I...>) {
    return {tile_rows_portable<int(I) + 1>...};
}

}  // namespace

BandedDesign::BandedDesign(std::int64_t cols, std::int64_t k, double width) : cols_(cols), k_(k) {
    // The same expressions as gaussian_design, so kept entries are bitwise equal to Φ's.
    const auto centre = [&](std::int64_t c) { return (double(c) + 0.5) * double(cols) / double(k); };
    const double sigma = width * double(cols) / double(k);
    const double reach = cutoff * sigma;
    for (std::int64_t first = 0; first < k; first += tile_columns) {
        Tile tile;
        tile.first_column = first;
        tile.columns = std::min(tile_columns, k - first);
        const double lowest_centre = centre(first);
        const double highest_centre = centre(first + tile.columns - 1);
        // Rows j with x_j = j + 1/2 within reach of some centre of the tile.
        const auto begin = std::max<std::int64_t>(0, static_cast<std::int64_t>(std::floor(lowest_centre - reach)));
        const auto end = std::min<std::int64_t>(cols, static_cast<std::int64_t>(std::ceil(highest_centre + reach)) + 1);
        tile.first_row = begin;
        tile.rows = end - begin;
        tile.values.assign(static_cast<std::size_t>(tile.rows * tile_columns), 0.0);  // a last, narrower tile: zeros
        for (std::int64_t c = 0; c < tile.columns; ++c) {
            const double mu = centre(first + c);
            for (std::int64_t j = 0; j < tile.rows; ++j) {
                const double x = ((begin + j) + 0.5 - mu) / sigma;
                tile.values[j * tile_columns + c] = std::exp(-0.5 * x * x);
            }
        }
        stored_entries_ += tile.rows * tile.columns;
        tiles_.push_back(std::move(tile));
    }
}

bool BandedDesign::fma_kernel_available() noexcept {
    static const bool available = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    return available;
}

void BandedDesign::apply(const double* rows, std::int64_t count, double* y, std::int64_t ldy, Kernel kernel) const {
    static constexpr auto fma = fma_kernels(std::make_index_sequence<group>{});
    static constexpr auto portable = portable_kernels(std::make_index_sequence<group>{});
    const auto& kernels = kernel == Kernel::automatic && fma_kernel_available() ? fma : portable;
    double out[group * tile_width];
    for (std::int64_t first = 0; first < count; first += group) {
        const std::int64_t n = std::min<std::int64_t>(group, count - first);
        const double* w = rows + first * cols_;
        for (const Tile& t : tiles_) {
            kernels[n - 1](w + t.first_row, cols_, t.values.data(), t.rows, out);
            for (std::int64_t r = 0; r < n; ++r) {
                std::copy_n(out + tile_width * r, t.columns, y + (first + r) * ldy + t.first_column);
            }
        }
    }
}

}  // namespace ctscale::fit
