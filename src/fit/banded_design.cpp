#include "ctscale/fit/banded_design.hpp"

#include <algorithm>
#include <cmath>

#include "ctscale/linalg/blas.hpp"

namespace ctscale::fit {

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
        tile.values.resize(static_cast<std::size_t>(tile.rows * tile.columns));
        for (std::int64_t c = 0; c < tile.columns; ++c) {
            const double mu = centre(first + c);
            for (std::int64_t j = 0; j < tile.rows; ++j) {
                const double x = ((begin + j) + 0.5 - mu) / sigma;
                tile.values[c * tile.rows + j] = std::exp(-0.5 * x * x);
            }
        }
        stored_entries_ += tile.rows * tile.columns;
        tiles_.push_back(std::move(tile));
    }
}

void BandedDesign::apply(const double* rows, std::int64_t count, double* y, std::int64_t ldy) const {
    // Every tile GEMM packs its slice of W again; over chunks of rows that stay in the L2
    // cache (about 256 KiB) that repacking is cheap, over a whole 32 MiB block it costs
    // more than the multiply-adds.
    const std::int64_t chunk = std::max<std::int64_t>(8, (std::int64_t{256} << 10) / (8 * cols_));
    for (std::int64_t first = 0; first < count; first += chunk) {
        const std::int64_t n = std::min(chunk, count - first);
        // Column-major view: Yᵀ[tile columns, rows] = tileᵀ · Wᵀ[tile rows, rows].
        for (const Tile& tile : tiles_) {
            linalg::gemm('T', 'N', tile.columns, n, tile.rows, 1.0, tile.values.data(), tile.rows,
                         rows + first * cols_ + tile.first_row, cols_, 0.0, y + first * ldy + tile.first_column, ldy);
        }
    }
}

}  // namespace ctscale::fit
