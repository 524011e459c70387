#pragma once
/// Counter-seeded random streams: every value depends only on (seed, tensor name, row),
/// so a synthetic checkpoint is identical for any rank count.
#include <cmath>
#include <cstdint>
#include <string_view>

namespace ctscale::util {

/// SplitMix64 (docs/definitions.md §2 gives the same constants for the null permutation).
struct SplitMix64 {
    std::uint64_t state;
    std::uint64_t next() noexcept {
        std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
};

/// FNV-1a: a stable hash of tensor names for seeding.
constexpr std::uint64_t hash_name(std::string_view text) noexcept {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (char c : text) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
    return h;
}

/// xoshiro256+ with uniform and normal draws (Box–Muller, both outputs used).
class Random {
public:
    Random(std::uint64_t seed, std::uint64_t stream_a, std::uint64_t stream_b = 0) noexcept {
        SplitMix64 mix{seed ^ (stream_a * 0xD1B54A32D192ED03ull) ^ (stream_b * 0x9E3779B97F4A7C15ull)};
        for (auto& word : s_) word = mix.next();
    }
    std::uint64_t next() noexcept {
        const std::uint64_t result = s_[0] + s_[3];
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = (s_[3] << 45) | (s_[3] >> 19);
        return result;
    }
    /// Uniform in (0, 1).
    double uniform() noexcept { return (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53; }
    double normal() noexcept {
        if (has_spare_) {
            has_spare_ = false;
            return spare_;
        }
        const double radius = std::sqrt(-2.0 * std::log(uniform()));
        const double angle = 6.283185307179586 * uniform();
        spare_ = radius * std::sin(angle);
        has_spare_ = true;
        return radius * std::cos(angle);
    }

private:
    std::uint64_t s_[4];
    double spare_ = 0.0;
    bool has_spare_ = false;
};

}  // namespace ctscale::util
