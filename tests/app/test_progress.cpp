#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "ctscale/app/progress.hpp"

using namespace ctscale;
using namespace std::chrono_literals;

namespace {

/// What a Progress printed into a temporary file.
std::string printed(std::FILE* file) {
    std::fflush(file);
    std::rewind(file);
    std::string text;
    char buffer[512];
    while (std::fgets(buffer, sizeof buffer, file)) text += buffer;
    return text;
}

}  // namespace

TEST(Progress, ShowsWorkRateAndEtaInItsMeasure) {
    std::FILE* file = std::tmpfile();
    ASSERT_NE(file, nullptr);
    app::Progress progress(true, "ctscale-mpi spectra", app::WorkMeasure::gigaflops(), file, 0ms);
    progress.update(1, 4, "matrices", 2e9, 8e9);
    const std::string line = printed(file);
    EXPECT_NE(line.find("ctscale-mpi spectra: 1/4 matrices, 2.0/8.0 GFLOP, "), std::string::npos) << line;
    EXPECT_NE(line.find(" GFLOP/s, ETA "), std::string::npos) << line;
    EXPECT_EQ(line.back(), '\n');  // a plain line: the file is not a terminal
    std::fclose(file);
}

TEST(Progress, BytesAsMegabytesByDefault) {
    std::FILE* file = std::tmpfile();
    ASSERT_NE(file, nullptr);
    app::Progress progress(true, "ctscale-synth", app::WorkMeasure::megabytes(), file, 0ms);
    progress.update(1, 3, "tensors", 1e6, 5e6);
    progress.update(3, 3, "tensors", 5e6, 5e6);  // the last line, as one was printed before
    const std::string text = printed(file);
    EXPECT_NE(text.find("1/3 tensors, 1.0/5.0 MB, "), std::string::npos) << text;
    EXPECT_NE(text.find("3/3 tensors, 5.0/5.0 MB, "), std::string::npos) << text;
    std::fclose(file);
}

TEST(Progress, SilentWhileQuickAndWhenDisabled) {
    std::FILE* file = std::tmpfile();
    ASSERT_NE(file, nullptr);
    app::Progress quick(true, "p", app::WorkMeasure::megabytes(), file, 1h);
    quick.update(1, 2, "matrices", 1.0, 2.0);
    quick.update(2, 2, "matrices", 2.0, 2.0);  // done before the first line was due: nothing at all
    app::Progress off(false, "p", app::WorkMeasure::megabytes(), file, 0ms);
    off.update(1, 2, "matrices", 1.0, 2.0);
    EXPECT_EQ(printed(file), "");
    std::fclose(file);
}
