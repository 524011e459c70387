// A gtest main for MPI: every rank runs the tests; rank 0 prints, and a listener gathers
// each rank's failures so that a failure on any rank is reported and fails the run.
#include <gtest/gtest.h>
#include <mpi.h>

#include <boost/mpi/environment.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "ctscale/hdf5/handle.hpp"

namespace {

/// Collects the failures of this rank, then reports them on rank 0 after each test.
class GatheringListener : public testing::EmptyTestEventListener {
public:
    void OnTestPartResult(const testing::TestPartResult& result) override {
        if (!result.failed()) return;
        std::ostringstream text;
        // An exception escaping a test has no file: a null char* would silence the stream.
        text << (result.file_name() ? result.file_name() : "(exception)") << ":" << result.line_number() << ": "
             << result.summary();
        failures_.push_back(text.str());
    }
    void OnTestEnd(const testing::TestInfo& info) override {
        int rank = 0, size = 1;
        MPI_Comm_rank(MPI_COMM_WORLD, &rank);
        MPI_Comm_size(MPI_COMM_WORLD, &size);
        std::string mine;
        for (const auto& f : failures_) mine += "  [rank " + std::to_string(rank) + "] " + f + "\n";
        failures_.clear();
        int length = static_cast<int>(mine.size());
        std::vector<int> lengths(size);
        MPI_Gather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
        std::vector<int> offsets(size, 0);
        for (int r = 1; r < size; ++r) offsets[r] = offsets[r - 1] + lengths[r - 1];
        std::string all(rank == 0 ? offsets.back() + lengths.back() : 0, '\0');
        MPI_Gatherv(mine.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(), MPI_CHAR, 0,
                    MPI_COMM_WORLD);
        if (rank == 0) {
            std::printf("[%s] %s.%s on %d rank(s)\n", all.empty() ? "       OK " : "  FAILED  ", info.test_suite_name(),
                        info.name(), size);
            if (!all.empty()) std::printf("%s", all.c_str());
            if (!all.empty()) any_failed_ = true;
        }
    }
    static inline bool any_failed_ = false;

private:
    std::vector<std::string> failures_;
};

}  // namespace

int main(int argc, char** argv) {
    boost::mpi::environment environment(argc, argv, false);
    ctscale::hdf5::silence_error_stack();
    testing::InitGoogleTest(&argc, argv);
    auto& listeners = testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());  // rank 0's listener prints instead
    listeners.Append(new GatheringListener);
    const int local = RUN_ALL_TESTS();
    int global = 0;
    MPI_Allreduce(&local, &global, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (rank == 0) std::printf("%s\n", global ? "FAILED on at least one rank" : "PASSED on every rank");
    return global;
}
