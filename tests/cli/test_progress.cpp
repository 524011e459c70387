#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "ctscale/cli/progress.hpp"

using namespace ctscale;
using namespace std::chrono_literals;

namespace {

/// A temporary file for a Progress to print into, and what it printed.
class Printed : public testing::Test {
protected:
    void SetUp() override { ASSERT_NE(file, nullptr); }
    void TearDown() override {
        if (file) std::fclose(file);
    }
    std::string text() {
        std::fflush(file);
        std::rewind(file);
        std::string all;
        char buffer[512];
        while (std::fgets(buffer, sizeof buffer, file)) all += buffer;
        return all;
    }
    std::FILE* file = std::tmpfile();
};

}  // namespace

TEST_F(Printed, WorkRateAndEtaInTheProgressMeasure) {
    cli::Progress progress(true, "ctscale-mpi spectra", cli::WorkMeasure::gigaflops(), file, 0ms);
    progress.update(1, 4, "matrices", 2e9, 8e9);
    const std::string line = text();
    EXPECT_NE(line.find("ctscale-mpi spectra: 1/4 matrices, 2.0/8.0 GFLOP, "), std::string::npos) << line;
    EXPECT_NE(line.find(" GFLOP/s, ETA "), std::string::npos) << line;
    EXPECT_EQ(line.back(), '\n');  // a plain line: the file is not a terminal
}

TEST_F(Printed, BytesAsMegabytesAndTheLastLineOnceOneWasPrinted) {
    cli::Progress progress(true, "ctscale-synth", cli::WorkMeasure::megabytes(), file, 0ms);
    progress.update(1, 3, "tensors", 1e6, 5e6);
    progress.update(3, 3, "tensors", 5e6, 5e6);
    const std::string all = text();
    EXPECT_NE(all.find("1/3 tensors, 1.0/5.0 MB, "), std::string::npos) << all;
    EXPECT_NE(all.find("3/3 tensors, 5.0/5.0 MB, "), std::string::npos) << all;
}

TEST_F(Printed, NothingWhileQuickOrWhenDisabled) {
    cli::Progress quick(true, "p", cli::WorkMeasure::megabytes(), file, 1h);
    quick.update(1, 2, "matrices", 1.0, 2.0);
    quick.update(2, 2, "matrices", 2.0, 2.0);  // done before the first line was due: nothing at all
    cli::Progress off(false, "p", cli::WorkMeasure::megabytes(), file, 0ms);
    off.update(1, 2, "matrices", 1.0, 2.0);
    EXPECT_EQ(text(), "");
}
