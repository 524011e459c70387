#pragma once
/// W·Φ for the Gaussian design of docs/definitions.md §1 without touching its negligible entries.
///
/// Column k of Φ is exp(−(x − μ_k)²/2σ²) with σ = s·n/K: beyond `cutoff`·σ of its centre
/// it is below 2.4e-20, so dropping those entries changes (W·Φ)[i,k] by less than
/// 2.4e-20·Σ|w_j| — far under one rounding of the kept sum. Φ is stored as tiles of
/// `tile_columns` consecutive columns over the rows their supports cover, so the product
/// costs about 2·n·(2·cutoff·s + tile_columns) flops per row instead of 2·n·K. Each tile
/// product is our own register-blocked kernel rather than a GEMM call (see the .cpp). The
/// fit uses it for wide K (the K rule), where that is several times fewer flops; see
/// WidthPlan for when and why the route is accurate.
#include <cstdint>
#include <vector>

namespace ctscale::fit {

class BandedDesign {
public:
    static constexpr double cutoff = 9.5;            ///< in units of σ: exp(−9.5²/2) ≈ 2.4e-20
    static constexpr std::int64_t tile_columns = 8;  ///< two AVX2 vectors

    /// `automatic`: AVX2/FMA where the CPU has them (the build targets baseline x86-64),
    /// else portable C++; `portable` forces the latter (for tests).
    enum class Kernel { automatic, portable };

    BandedDesign(std::int64_t cols, std::int64_t k, double width);

    /// Y = W·Φ for W (count × cols, row-major); Y is count × K, row-major with leading
    /// dimension ldy. Each row's result depends only on that row, not on `count` or the
    /// row's position, so it is the same for any rank count.
    void apply(const double* rows, std::int64_t count, double* y, std::int64_t ldy,
               Kernel kernel = Kernel::automatic) const;

    /// Whether `automatic` runs the AVX2/FMA kernel on this CPU.
    static bool fma_kernel_available() noexcept;

    /// Entries of Φ kept (the tiles' rows, not the zero columns of a narrower last tile):
    /// about the multiply-adds per row of `apply`.
    std::int64_t stored_entries() const noexcept { return stored_entries_; }

private:
    struct Tile {
        std::int64_t first_column, columns;  ///< columns of Φ
        std::int64_t first_row, rows;        ///< rows of Φ (positions j) the tile covers
        std::vector<double> values;          ///< rows × tile_columns, row-major, zero-padded
    };
    std::int64_t cols_, k_;
    std::int64_t stored_entries_ = 0;
    std::vector<Tile> tiles_;
};

}  // namespace ctscale::fit
