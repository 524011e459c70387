// Every ctscale error is one line: control characters quoted from input files are escaped.
#include <gtest/gtest.h>

#include <string>

#include "ctscale/error.hpp"

using namespace ctscale;

TEST(Error, ControlCharactersInAMessageAreEscaped) {
    const std::string schema = std::string("ctsca\xec\xe2\n\x00", 9) + "0\r\t\x7f";
    const InputError e("f.h5: schema is '" + schema + "'");
    EXPECT_EQ(std::string(e.what()), "f.h5: schema is 'ctsca\xec\xe2\\n\\x000\\r\\t\\x7f'");
}

TEST(Error, PrintableMessagesAreUnchanged) {
    const std::string text = "w.h5: tensor 'blocks.0.attn' has shape [3, 4] (UTF-8 name: \xc3\xa9)";
    EXPECT_EQ(std::string(UsageError(text).what()), text);
    EXPECT_EQ(UsageError(text).exit_code(), 2);
    EXPECT_EQ(LibraryError(text).exit_code(), 1);
}
