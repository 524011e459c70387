#pragma once
/// The i.i.d. null stream of docs/definitions.md §7: token s is drawn from the stream's own unigram
/// distribution with the (s+1)-th output z of SplitMix64 seeded with --null-seed:
/// r = z mod T and the smallest id t with Σ_{i≤t} c_i > r. Each position is computed on its
/// own, so a rank draws exactly its slice and the result does not depend on the rank count.
#include <cstdint>
#include <vector>

namespace ctscale::transition {

class NullSampler {
public:
    /// `counts`: unigram counts of every id (their sum is T).
    NullSampler(const std::vector<std::int64_t>& counts, std::uint64_t seed);
    /// The null token at stream position `position`.
    std::uint32_t token(std::int64_t position) const noexcept;
    /// Positions [first, first + count).
    std::vector<std::uint32_t> tokens(std::int64_t first, std::int64_t count) const;

private:
    std::vector<std::uint64_t> cumulative_;  ///< Σ_{i≤t} c_i
    std::uint64_t total_;
    std::uint64_t seed_;
};

/// The (n+1)-th output of SplitMix64 seeded with `seed` (n = 0 is the first output).
std::uint64_t splitmix64_output(std::uint64_t seed, std::uint64_t n) noexcept;

}  // namespace ctscale::transition
