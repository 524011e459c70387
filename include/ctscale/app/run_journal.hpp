#pragma once
/// Progress of a run kept beside its output (docs/programs.md): one small record per finished
/// piece of work (a matrix's fit, a matrix's spectrum, the transition results), each written
/// to a temporary name and renamed into place, so that `--resume`
/// after a kill (even kill -9 of one rank) continues where the run stopped and ends with
/// results identical to an uninterrupted run. An HDF5 file is not crash-consistent, so the
/// temporary results file cannot serve as this checkpoint.
///
/// Records are made durable (fsync, rename, fsync of the directory) by a writer thread,
/// so the ranks waiting on rank 0 do not wait for the disk: the fsyncs are a noticeable
/// part of a small fit even on a local disk, and far more on a parallel file system
/// (BENCHMARKS.md, "Design measurements"). A record still queued when the run dies is simply
/// recomputed by --resume. The thread makes no MPI calls.
#include <condition_variable>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "ctscale/app/run_options.hpp"

namespace ctscale::app {

class RunJournal {
public:
    /// Rank 0 only. Without `resume` any earlier journal is discarded. With it, the
    /// journal's settings must equal `fingerprint` (else InputError: the records would
    /// not belong to this run).
    RunJournal(const std::string& output, const std::string& fingerprint, bool resume);
    /// Writes what is queued, then stops the writer.
    ~RunJournal();
    RunJournal(const RunJournal&) = delete;
    RunJournal& operator=(const RunJournal&) = delete;

    struct Record {
        std::string path;   ///< for error messages
        std::string bytes;  ///< as saved (io/binary_record.hpp)
    };

    const std::string& directory() const noexcept { return directory_; }
    /// The records of `kind` ("fit", "spectrum", "transition") an interrupted run left, by index
    /// (a matrix's index in the run's matrix list).
    std::map<std::size_t, Record> finished(const std::string& kind) const;
    /// Queues a record. Throws the error of an earlier record that could not be written
    /// (e.g. disk full), so a failing journal stops the run.
    void save(const std::string& kind, std::size_t index, std::string bytes);
    /// Waits until every queued record is durable; throws as save does.
    void flush();
    /// Called once the results file is in place.
    void remove();

private:
    std::string record_path(const std::string& kind, std::size_t index) const;
    void write_records();
    void rethrow_failure();  ///< with mutex_ held

    std::string directory_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<std::pair<std::string, std::string>> queue_;  ///< (path, bytes)
    bool writing_ = false;
    bool stopping_ = false;
    std::exception_ptr failure_;
    std::thread writer_;  ///< last: started after everything it uses
};

/// Everything that decides the numbers of a run (inputs by path, size and modification
/// time; the options that change results): records are reused only by a run with the same.
std::string run_fingerprint(const std::string& input, const std::string& tokens, const RunOptions& options);

}  // namespace ctscale::app
