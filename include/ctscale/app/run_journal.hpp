#pragma once
/// Progress of a run kept beside its output (docs/programs.md): one small record per finished
/// matrix, each written to a temporary name and renamed into place, so that `--resume`
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

#include "ctscale/fit/matrix_result.hpp"

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

    const std::string& directory() const noexcept { return directory_; }
    /// Results of the matrices an interrupted run finished, by index in the run's matrix list.
    std::map<std::size_t, fit::MatrixResult> finished() const;
    /// Queues the record of a finished matrix. Throws the error of an earlier record
    /// that could not be written (e.g. disk full), so a failing journal stops the run.
    void save(std::size_t index, const fit::MatrixResult& result);
    /// Waits until every queued record is durable; throws as save does.
    void flush();
    /// Called once the results file is in place.
    void remove();

private:
    std::string record_path(std::size_t index) const;
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

}  // namespace ctscale::app
