#include "ctscale/transition/null_stream.hpp"

#include <algorithm>

#include "ctscale/util/random.hpp"

namespace ctscale::transition {

std::uint64_t splitmix64_output(std::uint64_t seed, std::uint64_t n) noexcept {
    // The state before output n is seed + n·γ (mod 2^64); next() adds γ once more.
    util::SplitMix64 generator{seed + n * 0x9E3779B97F4A7C15ull};
    return generator.next();
}

NullSampler::NullSampler(const std::vector<std::int64_t>& counts, std::uint64_t seed) : seed_(seed) {
    cumulative_.reserve(counts.size());
    std::uint64_t sum = 0;
    for (std::int64_t c : counts) cumulative_.push_back(sum += static_cast<std::uint64_t>(c));
    total_ = sum;
}

std::uint32_t NullSampler::token(std::int64_t position) const noexcept {
    const std::uint64_t r = splitmix64_output(seed_, static_cast<std::uint64_t>(position)) % total_;
    const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), r);  // first Σ_{i≤t} c_i > r
    return static_cast<std::uint32_t>(it - cumulative_.begin());
}

std::vector<std::uint32_t> NullSampler::tokens(std::int64_t first, std::int64_t count) const {
    std::vector<std::uint32_t> out(static_cast<std::size_t>(count));
    for (std::int64_t k = 0; k < count; ++k) out[k] = token(first + k);
    return out;
}

}  // namespace ctscale::transition
