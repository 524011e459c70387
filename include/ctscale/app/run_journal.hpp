#pragma once
/// Progress of a run kept beside its output (SPEC §7): one small record per finished
/// matrix, each written to a temporary name and renamed into place, so that `--resume`
/// after a kill (even kill -9 of one rank) continues where the run stopped and ends with
/// results identical to an uninterrupted run. An HDF5 file is not crash-consistent, so the
/// temporary results file cannot serve as this checkpoint.
#include <map>
#include <string>

#include "ctscale/fit/matrix_result.hpp"

namespace ctscale::app {

class RunJournal {
public:
    /// Rank 0 only. Without `resume` any earlier journal is discarded. With it, the
    /// journal's settings must equal `fingerprint` (else InputError: the records would
    /// not belong to this run).
    RunJournal(const std::string& output, const std::string& fingerprint, bool resume);

    const std::string& directory() const noexcept { return directory_; }
    /// Results of the matrices an interrupted run finished, by index in the run's matrix list.
    std::map<std::size_t, fit::MatrixResult> finished() const;
    void save(std::size_t index, const fit::MatrixResult& result) const;
    /// Called once the results file is in place.
    void remove() const;

private:
    std::string record_path(std::size_t index) const;
    std::string directory_;
};

}  // namespace ctscale::app
