#pragma once
/// The ranks that do a run's work. A small input on many ranks gives each rank a share too
/// small to pay for the collective rounds it joins (docs/computation.md, "Working ranks"),
/// so only the first ⌈work / min_share⌉ ranks work, on their own communicator, while the
/// others wait asleep for rank 0 to announce how the run ended.
#include <boost/mpi/communicator.hpp>
#include <cstdint>

namespace ctscale::mpi {

/// min(ranks, max(1, ⌈work_bytes / min_share_bytes⌉)); every rank when min_share_bytes is 0.
int working_rank_count(std::int64_t work_bytes, std::int64_t min_share_bytes, int ranks);

class WorkingTeam {
public:
    /// Collective over `world`: rank 0's count (working_rank_count of its `work_bytes`) is
    /// broadcast, so every rank agrees on it even where their views of the inputs differ;
    /// then the working ranks, and only they, create their communicator.
    WorkingTeam(const boost::mpi::communicator& world, std::int64_t work_bytes, std::int64_t min_share_bytes);

    bool working() const noexcept { return world_.rank() < size_; }
    /// Working ranks (ranks 0 … size−1 of world).
    int size() const noexcept { return size_; }
    /// The working ranks' communicator: world itself when every rank works. Working ranks only.
    const boost::mpi::communicator& comm() const noexcept { return team_; }

    /// Rank 0: tells every waiting rank the run's exit code. Other ranks: nothing.
    void announce_outcome(int exit_code) const;
    /// Waiting ranks: sleeps until rank 0 announces the outcome; returns 0, or throws an
    /// Error carrying the run's exit code (whose message rank 0 prints).
    int await_outcome() const;

private:
    boost::mpi::communicator world_;
    int size_ = 1;
    boost::mpi::communicator team_;
};

}  // namespace ctscale::mpi
