#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "ctscale/app/run_journal.hpp"
#include "ctscale/error.hpp"
#include "ctscale/fit/matrix_record.hpp"
#include "ctscale/io/atomic_file.hpp"

using ctscale::app::RunJournal;
namespace fs = std::filesystem;

namespace {

std::string record_named(const std::string& name, double norm) {
    ctscale::fit::MatrixResult result;
    result.tensor.name = name;
    result.tensor.rows = 3;
    result.tensor.cols = 4;
    result.frobenius_norm = norm;
    return ctscale::fit::encode_record(result);
}

ctscale::fit::MatrixResult decoded(const RunJournal::Record& record) {
    return ctscale::fit::decode_record(record.bytes, record.path);
}

class RunJournalTest : public ::testing::Test {
protected:
    void SetUp() override {
        directory_ = fs::temp_directory_path() / ("ctscale-journal-" + std::to_string(::getpid()));
        fs::create_directories(directory_);
        output_ = (directory_ / "results.h5").string();
    }
    void TearDown() override { fs::remove_all(directory_); }
    fs::path directory_;
    std::string output_;
};

}  // namespace

TEST_F(RunJournalTest, QueuedRecordsAreDurableAfterFlushAndAfterDestruction) {
    {
        RunJournal journal(output_, "settings A", false);
        journal.save("fit", 0, record_named("a", 1.5));
        journal.save("fit", 2, record_named("c", 2.5));
        journal.flush();
        EXPECT_EQ(journal.finished("fit").size(), 2u);
        journal.save("fit", 1, record_named("b", 3.5));  // still queued when the journal goes away
    }
    RunJournal resumed(output_, "settings A", true);
    const auto finished = resumed.finished("fit");
    ASSERT_EQ(finished.size(), 3u);
    EXPECT_EQ(decoded(finished.at(1)).tensor.name, "b");
    EXPECT_EQ(decoded(finished.at(2)).frobenius_norm, 2.5);
}

TEST_F(RunJournalTest, EachKindOfRecordIsKeptApart) {
    RunJournal journal(output_, "settings A", false);
    journal.save("fit", 0, "fit zero");
    journal.save("spectrum", 0, "spectrum zero");
    journal.save("spectrum", 11, "spectrum eleven");
    journal.flush();
    ASSERT_EQ(journal.finished("fit").size(), 1u);
    EXPECT_EQ(journal.finished("fit").at(0).bytes, "fit zero");
    const auto spectra = journal.finished("spectrum");
    ASSERT_EQ(spectra.size(), 2u);
    EXPECT_EQ(spectra.at(11).bytes, "spectrum eleven");
    EXPECT_TRUE(journal.finished("transition").empty());
}

TEST_F(RunJournalTest, ResumeWithOtherSettingsIsRefused) {
    { RunJournal journal(output_, "settings A", false); }
    EXPECT_THROW(RunJournal(output_, "settings B", true), ctscale::InputError);
}

TEST_F(RunJournalTest, AWriteThatFailsInTheBackgroundFailsTheRun) {
    RunJournal journal(output_, "settings A", false);
    fs::remove_all(journal.directory());  // every later record write fails
    journal.save("fit", 0, record_named("a", 1.0));
    EXPECT_THROW(journal.flush(), ctscale::Error);
    EXPECT_THROW(journal.save("fit", 1, record_named("b", 1.0)), ctscale::Error) << "the failure is kept";
}

TEST_F(RunJournalTest, SeveralFilesAreWrittenAtomicallyWithOneSync) {
    const std::vector<std::pair<std::string, std::string>> files{
        {(directory_ / "a").string(), "alpha"},
        {(directory_ / "b").string(), std::string(100000, 'b')},
        {(directory_ / "c").string(), ""}};
    ctscale::io::write_files_atomically(directory_.string(), files);
    for (const auto& [path, bytes] : files) EXPECT_EQ(ctscale::io::read_file(path), bytes) << path;
    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator(directory_)) ++entries;
    EXPECT_EQ(entries, files.size()) << "no temporaries are left";

    // A directory that is gone: an error naming it, and nothing written anywhere.
    const fs::path gone = directory_ / "gone";
    EXPECT_THROW(ctscale::io::write_files_atomically(gone.string(), {{(gone / "x").string(), "x"}}),
                 ctscale::InputError);
    EXPECT_FALSE(fs::exists(gone));
}
