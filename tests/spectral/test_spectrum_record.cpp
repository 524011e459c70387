// A spectrum's journal record reloads bit for bit, and a damaged one is refused.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "ctscale/error.hpp"
#include "ctscale/spectral/spectrum_record.hpp"

using namespace ctscale::spectral;

namespace {

SpectralResult full_spectrum() {
    SpectralResult r;
    double value = 0.1;
    for (const auto& field : spectral_fields) r.*field.member = value *= 3.7;  // every field distinct
    r.alpha_ks = std::numeric_limits<double>::quiet_NaN();                     // as when not computed
    r.method = "dsyrk+dsytrd_2stage(2 threads)";
    r.grid = "1x1";
    r.singular_values = {9.5, 3.25, 1e-300, 0.0};
    return r;
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace

TEST(SpectrumRecord, RoundTripIsBitForBit) {
    const SpectralResult original = full_spectrum();
    const SpectralResult back = decode_spectrum_record(encode_spectrum_record(original), "record");
    for (const auto& field : spectral_fields) {
        EXPECT_TRUE(same_bits(back.*field.member, original.*field.member)) << field.name;
    }
    EXPECT_EQ(back.method, original.method);
    EXPECT_EQ(back.grid, original.grid);
    EXPECT_EQ(back.singular_values, original.singular_values);
}

TEST(SpectrumRecord, DamagedRecordsAreRefused) {
    const std::string bytes = encode_spectrum_record(full_spectrum());
    std::string flipped = bytes;
    flipped[bytes.size() / 2] ^= 0x20;
    EXPECT_THROW(decode_spectrum_record(flipped, "r"), ctscale::InputError) << "checksum";
    EXPECT_THROW(decode_spectrum_record(bytes.substr(0, bytes.size() - 3), "r"), ctscale::InputError) << "truncated";
    EXPECT_THROW(decode_spectrum_record("ctscale-fit-record-1\n12345678", "r"), ctscale::InputError) << "other kind";
}
