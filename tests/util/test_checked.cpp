// Checked size arithmetic: exact results in range, one clear InputError on overflow.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "ctscale/error.hpp"
#include "ctscale/util/checked.hpp"

using namespace ctscale;

namespace {

constexpr std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();

/// The message of the InputError `f` throws ("" when it throws none).
template <typename F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(Checked, InRangeResultsAreExact) {
    EXPECT_EQ(util::checked_mul<std::int64_t>(3037000499, 3037000499, "x"), 9223372030926249001);
    EXPECT_EQ(util::checked_add<std::int64_t>(int64_max - 1, 1, "x"), int64_max);
    EXPECT_EQ(util::checked_mul<std::uint64_t>(0, UINT64_MAX, "x"), 0u);
    EXPECT_EQ(util::checked_cast<std::int64_t>(std::uint64_t{1} << 62, "x"), std::int64_t{1} << 62);
    EXPECT_EQ(util::checked_bytes(1000, 3000, 8, "x"), 24'000'000u);
    EXPECT_EQ(util::checked_elements(1000, 3000, "x"), 3'000'000u);
}

TEST(Checked, OverflowThrowsInputErrorNamingTheComputation) {
    EXPECT_EQ(error_of([] { util::checked_mul<std::int64_t>(std::int64_t{1} << 32, std::int64_t{1} << 32, "matrix"); }),
              "matrix: 4294967296 × 4294967296 overflows (sizes too large)");
    EXPECT_EQ(error_of([] { util::checked_add<std::uint64_t>(UINT64_MAX, 1, "offset"); }),
              "offset: 18446744073709551615 + 1 overflows (sizes too large)");
    EXPECT_EQ(error_of([] { util::checked_mul<std::int64_t>(-int64_max, 2, "signed"); }),
              "signed: -9223372036854775807 × 2 overflows (sizes too large)");
    EXPECT_EQ(error_of([] { util::checked_cast<std::int64_t>(std::uint64_t{1} << 63, "dimension"); }),
              "dimension: 9223372036854775808 is out of range");
}

TEST(Checked, BufferBytesRefuseOverflowAndNegativeCounts) {
    // 2^31 × 2^31 elements fit int64; their bytes as doubles (2^65) do not fit size_t.
    EXPECT_NE(error_of([] {
                  util::checked_bytes(std::int64_t{1} << 31, std::int64_t{1} << 31, 8, "block");
              }).find("block: 4611686018427387904 × 8 overflows"),
              std::string::npos);
    EXPECT_EQ(error_of([] { util::checked_bytes(-1, 8, "block"); }), "block: -1 is out of range");
    EXPECT_EQ(error_of([] { util::checked_elements(-2, 3, "rows"); }), "rows: -6 is out of range");
}
