#include "ctscale/synth/weights.hpp"

#include <cmath>

#include "ctscale/util/random.hpp"

namespace ctscale::synth {
using util::hash_name;
using util::Random;

namespace {

bool is_norm_weight(const io::TensorInfo& tensor) {
    const std::string& n = tensor.name;
    return n.find("bias") == std::string::npos;
}

}  // namespace

WeightGenerator::WeightGenerator(std::uint64_t seed, const io::TensorInfo& tensor, std::int64_t n_layers)
    : seed_(seed), name_hash_(hash_name(tensor.name)), tensor_(tensor) {
    if (tensor.layer >= 0 && n_layers > 0) scale_ = 0.02 * (1.0 - 0.3 * tensor.layer / double(n_layers));
    if (tensor.rank != 2) return;
    const double m = double(tensor.rows), n = double(tensor.cols);
    const double edge = std::sqrt(m) + std::sqrt(n);
    const double multiples[spikes] = {4.0, 3.0, 2.5, 2.0};
    for (int s = 0; s < spikes; ++s) gains_[s] = multiples[s] * edge / std::sqrt(m * n);

    constexpr int width = spikes + bumps;
    directions_.assign(static_cast<std::size_t>(tensor.cols) * width, 0.0);
    Random random(seed, name_hash_, ~std::uint64_t{0});  // the matrix-wide stream
    for (std::int64_t j = 0; j < tensor.cols; ++j) {
        for (int s = 0; s < spikes; ++s) directions_[j * width + s] = random.normal();
    }
    for (int f = 0; f < bumps; ++f) {
        const double centre = random.uniform() * n;
        const double sigma = n / 16.0 * (1.0 + random.uniform());
        for (std::int64_t j = 0; j < tensor.cols; ++j) {
            const double x = (j + 0.5 - centre) / sigma;
            directions_[j * width + spikes + f] = std::exp(-0.5 * x * x);
        }
    }
}

void WeightGenerator::row(std::int64_t row, double* out) const {
    Random random(seed_, name_hash_, static_cast<std::uint64_t>(row));
    if (tensor_.rank != 2) {
        const bool norm = is_norm_weight(tensor_);
        for (std::int64_t j = 0; j < tensor_.cols; ++j)
            out[j] = norm ? 1.0 + 0.05 * random.normal() : 0.01 * random.normal();
        return;
    }
    constexpr int width = spikes + bumps;
    double loadings[width];
    for (int s = 0; s < spikes; ++s) loadings[s] = gains_[s] * random.normal();
    for (int f = 0; f < bumps; ++f) loadings[spikes + f] = 0.5 * random.normal();
    double block_scale = 1.0;
    for (std::int64_t j = 0; j < tensor_.cols; ++j) {
        if (j % 32 == 0) block_scale = std::exp(0.6 * random.normal() - 0.18);
        const double* d = &directions_[j * width];
        double value = block_scale * random.normal();
        for (int t = 0; t < width; ++t) value += loadings[t] * d[t];
        out[j] = scale_ * value;
    }
}

}  // namespace ctscale::synth
