#include <gtest/gtest.h>

#include "ctscale/cli/cli.hpp"
#include "ctscale/app/run_options.hpp"
#include "ctscale/error.hpp"

using namespace ctscale;

namespace {

app::RunOptions parse(std::vector<std::string> args) {
    app::RunOptions options;
    std::string help;
    app::parse_run_options(args, options, help);
    return options;
}

}  // namespace

TEST(Cli, IntegerListsAndSizes) {
    EXPECT_EQ(cli::parse_int_list("4,8,16", "k", 1), (std::vector<std::int64_t>{4, 8, 16}));
    for (const char* bad : {"", "4,,8", "4,", "a", "4.5", "8,0", "-3"}) {
        EXPECT_THROW(cli::parse_int_list(bad, "k", 1), UsageError) << bad;
    }
    EXPECT_EQ(cli::parse_byte_size("2G", "m"), std::int64_t{2} << 30);
    EXPECT_EQ(cli::parse_byte_size("512M", "m"), std::int64_t{512} << 20);
    EXPECT_EQ(cli::parse_byte_size("4096", "m"), 4096);
    for (const char* bad : {"", "G", "-1G", "2X", "0"}) EXPECT_THROW(cli::parse_byte_size(bad, "m"), UsageError) << bad;
}

TEST(Cli, KRule) {
    auto rule = fit::parse_k_rule("max(8, cols/16)");
    ASSERT_TRUE(rule);
    EXPECT_EQ(fit::KSetting::from_rule(*rule).k_for(768), 48);
    EXPECT_EQ(fit::KSetting::from_rule(*rule).k_for(100), 8);
    EXPECT_EQ(rule->text(), "max(8,cols/16)");
    EXPECT_FALSE(fit::parse_k_rule("none"));
    for (const char* bad : {"max(8,rows/16)", "8", "max(0,cols/16)", "max(8,cols/0)"}) {
        EXPECT_THROW(fit::parse_k_rule(bad), UsageError) << bad;
    }
}

TEST(Cli, RunOptionsRejectBadUsageWithExitCode2) {
    const auto options = parse({"--input", "m.h5", "--k", "8", "--k-rule", "none"});
    EXPECT_EQ(options.settings().size(), 1u);
    EXPECT_EQ(parse({}).settings().size(), 4u);  // 4, 8, 16 and the rule
    for (std::vector<std::string> bad : std::vector<std::vector<std::string>>{{"--k", "0"},
                                                                              {"--k", "-4"},
                                                                              {"--width", "0"},
                                                                              {"--on-nonfinite", "ignore"},
                                                                              {"--matrices", "("},
                                                                              {"--bogus"},
                                                                              {"-i", "a.h5", "-o", "a.h5"},
                                                                              {"--tokens", "t.h5", "-o", "t.h5"},
                                                                              {"-i", "a.h5", "--json", "a.h5"},
                                                                              {"--spectral", "svd"},
                                                                              {"--mem-per-rank", "lots"}}) {
        try {
            parse(bad);
            ADD_FAILURE() << bad[0];
        } catch (const Error& e) {
            EXPECT_EQ(e.exit_code(), 2) << bad[0];
        }
    }
}

TEST(Cli, NoOutputMayReplaceAnInput) {
    try {
        parse({"--tokens", "t.h5", "-o", "t.h5"});
        ADD_FAILURE();
    } catch (const UsageError& e) {
        EXPECT_STREQ(e.what(), "--output names the token stream 't.h5'; refusing to overwrite it");
    }
}
