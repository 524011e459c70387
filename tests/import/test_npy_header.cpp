// The .npy header parser: versions 1-3, the dict literal, malformed headers.
#include <gtest/gtest.h>

#include <string>

#include "ctscale/error.hpp"
#include "ctscale/import/npy.hpp"

using namespace ctscale;

namespace {

/// The header np.save writes: magic, version, length field, dict padded to 64 bytes.
std::string npy_prefix(int major, const std::string& dict) {
    const std::size_t fixed = major == 1 ? 10 : 12;
    std::string body = dict;
    while ((fixed + body.size() + 1) % 64 != 0) body += ' ';
    body += '\n';
    std::string out = "\x93NUMPY";
    out += static_cast<char>(major);
    out += '\0';
    for (std::size_t i = 0; i < fixed - 8; ++i) out += static_cast<char>((body.size() >> (8 * i)) & 0xff);
    return out + body;
}

}  // namespace

TEST(NpyHeader, ParsesEveryVersion) {
    for (int major : {1, 2, 3}) {
        const std::string prefix = npy_prefix(major, "{'descr': '<u2', 'fortran_order': False, 'shape': (1000,), }");
        const auto header = import::parse_npy_header(prefix);
        EXPECT_EQ(header.major_version, major);
        EXPECT_EQ(header.descr, "<u2");
        EXPECT_FALSE(header.fortran_order);
        EXPECT_EQ(header.shape, (std::vector<std::int64_t>{1000}));
        EXPECT_EQ(header.data_offset, prefix.size());
        EXPECT_EQ(header.data_offset % 64, 0u);
    }
}

TEST(NpyHeader, ParsesMatricesScalarsAndPython2Longs) {
    EXPECT_EQ(
        import::parse_npy_header(npy_prefix(1, "{'descr': '<i8', 'fortran_order': True, 'shape': (3, 4)}")).elements(),
        12);
    EXPECT_EQ(
        import::parse_npy_header(npy_prefix(1, "{'descr': '<i8', 'fortran_order': False, 'shape': ()}")).elements(), 1);
    EXPECT_EQ(
        import::parse_npy_header(npy_prefix(1, "{'descr': '<u4', 'fortran_order': False, 'shape': (5L,)}")).elements(),
        5);
}

TEST(NpyHeader, RefusesMalformedHeaders) {
    EXPECT_THROW(import::parse_npy_header("NUMPY12345678"), InputError);
    EXPECT_THROW(import::parse_npy_header(npy_prefix(4, "{}")), InputError);
    EXPECT_THROW(import::parse_npy_header(npy_prefix(1, "{'descr': '<u2', 'shape': (3,)}")), InputError);
    EXPECT_THROW(
        import::parse_npy_header(npy_prefix(1, "{'descr': [('a', '<u2')], 'fortran_order': False, 'shape': (3,)}")),
        InputError);
    EXPECT_THROW(import::parse_npy_header(npy_prefix(1, "{'descr': '<u2', 'fortran_order': False, 'shape': (3,)")),
                 InputError);
    EXPECT_THROW(import::parse_npy_header(npy_prefix(1, "{'descr': '<u2', 'fortran_order': False, 'shape': (-3,)}")),
                 InputError);
    const std::string full = npy_prefix(1, "{'descr': '<u2', 'fortran_order': False, 'shape': (3,)}");
    EXPECT_THROW(import::parse_npy_header(full.substr(0, 30)), InputError);
}
