#pragma once
/// IEEE half and bfloat16 encoding and decoding done in the program: HDF5 1.10's own
/// conversion of these types is slow (BENCHMARKS.md, "Design measurements").
#include <cstdint>
#include <cstring>

namespace ctscale::io {

/// Rounds to nearest (ties to even), with subnormals, infinities and NaN.
std::uint16_t encode_half(double value) noexcept;
std::uint16_t encode_bfloat16(double value) noexcept;

double decode_half(std::uint16_t bits) noexcept;

inline double decode_bfloat16(std::uint16_t bits) noexcept {
    // bfloat16 is the upper half of an IEEE single.
    std::uint32_t widened = static_cast<std::uint32_t>(bits) << 16;
    float value;
    std::memcpy(&value, &widened, sizeof value);
    return value;
}

/// Decodes `count` half values through a 64 Ki-entry table (built once).
void decode_half_array(const std::uint16_t* in, double* out, std::size_t count) noexcept;
void decode_bfloat16_array(const std::uint16_t* in, double* out, std::size_t count) noexcept;

}  // namespace ctscale::io
