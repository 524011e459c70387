#include "ctscale/io/float16.hpp"

#include <array>
#include <cmath>
#include <limits>

namespace ctscale::io {
namespace {

/// Encodes |value| into a binary format with `exponent_bits` and `mantissa_bits`
/// (implicit leading one), rounding once, directly from double.
std::uint16_t encode_small_float(double value, int exponent_bits, int mantissa_bits) noexcept {
    const std::uint16_t sign = std::signbit(value) ? std::uint16_t(1u << (exponent_bits + mantissa_bits)) : 0;
    const std::uint16_t exponent_all_ones = std::uint16_t(((1u << exponent_bits) - 1) << mantissa_bits);
    if (std::isnan(value)) return sign | exponent_all_ones | std::uint16_t(1u << (mantissa_bits - 1));
    const int bias = (1 << (exponent_bits - 1)) - 1;
    const int min_exponent = 1 - bias;
    double magnitude = std::fabs(value);
    if (std::isinf(magnitude)) return sign | exponent_all_ones;
    if (magnitude == 0.0) return sign;
    int binade = std::ilogb(magnitude);
    if (binade < min_exponent) binade = min_exponent;  // subnormal range: fixed quantum
    // Scaling by a power of two is exact; nearbyint rounds half to even.
    double scaled = std::nearbyint(std::ldexp(magnitude, mantissa_bits - binade));
    const double implicit_one = std::ldexp(1.0, mantissa_bits);
    if (scaled >= 2 * implicit_one) {  // rounding carried into the next binade
        scaled /= 2;
        ++binade;
    }
    if (binade > bias) return sign | exponent_all_ones;  // overflow to infinity
    auto mantissa = static_cast<std::uint32_t>(scaled);
    if (scaled < implicit_one) return sign | std::uint16_t(mantissa);  // subnormal
    auto exponent_field = static_cast<std::uint32_t>(binade + bias);
    return sign | std::uint16_t(exponent_field << mantissa_bits) |
           std::uint16_t(mantissa - static_cast<std::uint32_t>(implicit_one));
}

const std::array<double, 65536>& half_table() {
    static const std::array<double, 65536> table = [] {
        std::array<double, 65536> values{};
        for (std::uint32_t bits = 0; bits < 65536; ++bits) values[bits] = decode_half(std::uint16_t(bits));
        return values;
    }();
    return table;
}

}  // namespace

std::uint16_t encode_half(double value) noexcept { return encode_small_float(value, 5, 10); }
std::uint16_t encode_bfloat16(double value) noexcept { return encode_small_float(value, 8, 7); }

double decode_half(std::uint16_t bits) noexcept {
    const double sign = (bits & 0x8000) ? -1.0 : 1.0;
    const int exponent = (bits >> 10) & 0x1f;
    const int mantissa = bits & 0x3ff;
    if (exponent == 0x1f) return mantissa ? std::numeric_limits<double>::quiet_NaN() : sign * INFINITY;
    if (exponent == 0) return sign * std::ldexp(mantissa, -24);
    return sign * std::ldexp(mantissa + 1024, exponent - 25);
}

void decode_half_array(const std::uint16_t* in, double* out, std::size_t count) noexcept {
    const auto& table = half_table();
    for (std::size_t i = 0; i < count; ++i) out[i] = table[in[i]];
}

void decode_bfloat16_array(const std::uint16_t* in, double* out, std::size_t count) noexcept {
    for (std::size_t i = 0; i < count; ++i) out[i] = decode_bfloat16(in[i]);
}

}  // namespace ctscale::io
