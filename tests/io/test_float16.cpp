#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "ctscale/io/dtype.hpp"
#include "ctscale/io/float16.hpp"

using namespace ctscale::io;

TEST(Half, EncodesKnownValuesWithRoundToNearestEven) {
    EXPECT_EQ(encode_half(1.0), 0x3C00);
    EXPECT_EQ(encode_half(-2.0), 0xC000);
    EXPECT_EQ(encode_half(65504.0), 0x7BFF);  // largest finite
    EXPECT_EQ(encode_half(65520.0), 0x7C00);  // halfway to 65536 rounds to even: overflow
    EXPECT_EQ(encode_half(65519.0), 0x7BFF);
    EXPECT_EQ(encode_half(std::ldexp(1.0, -24)), 0x0001);  // smallest subnormal
    EXPECT_EQ(encode_half(std::ldexp(1.0, -25)), 0x0000);  // tie rounds to even zero
    EXPECT_EQ(encode_half(3 * std::ldexp(1.0, -26)), 0x0001);
    EXPECT_EQ(encode_half(1.0 + std::ldexp(1.0, -11)), 0x3C00);      // tie → even
    EXPECT_EQ(encode_half(1.0 + 3 * std::ldexp(1.0, -11)), 0x3C02);  // tie → even (up)
    EXPECT_EQ(encode_half(-0.0), 0x8000);
    EXPECT_EQ(encode_half(INFINITY), 0x7C00);
    EXPECT_TRUE(std::isnan(decode_half(encode_half(std::numeric_limits<double>::quiet_NaN()))));
}

TEST(Bfloat16, EncodesKnownValuesWithRoundToNearestEven) {
    EXPECT_EQ(encode_bfloat16(1.0), 0x3F80);
    EXPECT_EQ(encode_bfloat16(1.0 + std::ldexp(1.0, -8)), 0x3F80);
    EXPECT_EQ(encode_bfloat16(1.0 + 3 * std::ldexp(1.0, -8)), 0x3F82);
    EXPECT_EQ(encode_bfloat16(-3.0), 0xC040);
    EXPECT_EQ(encode_bfloat16(std::ldexp(1.0, -133)), 0x0001);  // smallest subnormal
    EXPECT_EQ(encode_bfloat16(1e39), 0x7F80);                   // above the float range
}

TEST(SixteenBit, EveryFiniteValueRoundTrips) {
    for (std::uint32_t bits = 0; bits < 65536; ++bits) {
        const auto b = static_cast<std::uint16_t>(bits);
        const double h = decode_half(b);
        if (!std::isnan(h)) {
            ASSERT_EQ(encode_half(h), b) << std::hex << bits;
        }
        const double f = decode_bfloat16(b);
        if (!std::isnan(f)) {
            ASSERT_EQ(encode_bfloat16(f), b) << std::hex << bits;
        }
    }
}

TEST(SixteenBit, ArrayDecodingMatchesScalarDecoding) {
    std::vector<std::uint16_t> raw{0x3C00, 0x0001, 0xFBFF, 0x3F80, 0x7C00};
    std::vector<double> out(raw.size());
    to_double(StoredType::f16, raw.data(), out.data(), raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) EXPECT_EQ(out[i], decode_half(raw[i]));
    to_double(StoredType::bf16, raw.data(), out.data(), raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) EXPECT_EQ(out[i], decode_bfloat16(raw[i]));
}

TEST(Conversions, OfNothingTouchNothing) {
    // Ranks that own no rows pass empty vectors, whose data() is null: memcpy(null, null, 0)
    // is undefined behaviour, which the sanitizer build (UBSan nonnull-attribute) reports.
    for (StoredType type : {StoredType::f32, StoredType::f64, StoredType::f16, StoredType::bf16}) {
        to_double(type, nullptr, nullptr, 0);
        from_double(type, nullptr, nullptr, 0);
    }
    double out = 7;
    const double in = 2.5;
    std::uint16_t half = 0;
    from_double(StoredType::f16, &in, &half, 1);
    to_double(StoredType::f16, &half, &out, 1);
    EXPECT_EQ(out, 2.5);
}
