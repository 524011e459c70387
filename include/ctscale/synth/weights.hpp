#pragma once
/// Synthetic weights whose statistics look trained rather than i.i.d.
///
/// Row i of a matrix of width n in layer ℓ of L is
///   w_i = scale(ℓ) · ( Σ_s g_s u_is v_s  +  Σ_f c_if b_f  +  τ_i,blk ⊙ z_i )
/// - spikes: S = 4 random directions v_s (N(0,1) entries, one set per matrix) with
///   per-row loadings u_is ~ N(0,1) and gains g_s placing singular values at 4, 3, 2.5 and
///   2 times the noise bulk edge √m + √n: a few large singular directions;
/// - smooth structure along the row: F = 4 Gaussian bumps b_f (random centre, width
///   n/16–n/8, one set per matrix) with loadings c_if ~ N(0, 0.5²);
/// - heavy-tailed bulk: z ~ N(0,1) times a log-normal scale τ per row and 32-column block;
/// - scale(ℓ) = 0.02·(1 − 0.3·ℓ/L) shrinks with depth (0.02 outside the blocks).
/// 1-D tensors: norm weights 1 + 0.05·N(0,1), biases 0.01·N(0,1).
/// Every value depends only on (seed, tensor name, row).
#include <cstdint>
#include <vector>

#include "ctscale/io/checkpoint.hpp"

namespace ctscale::synth {

class WeightGenerator {
public:
    WeightGenerator(std::uint64_t seed, const io::TensorInfo& tensor, std::int64_t n_layers);
    /// Writes the `cols` values of global row `row` to `out`.
    void row(std::int64_t row, double* out) const;

private:
    static constexpr int spikes = 4;
    static constexpr int bumps = 4;
    std::uint64_t seed_;
    std::uint64_t name_hash_;
    io::TensorInfo tensor_;
    double scale_ = 0.02;
    double gains_[spikes] = {};
    std::vector<double> directions_;  ///< cols × (spikes + bumps), row-major
};

}  // namespace ctscale::synth
