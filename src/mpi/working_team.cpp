#include "ctscale/mpi/working_team.hpp"

#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "ctscale/error.hpp"
#include "ctscale/mpi/collective.hpp"
#include "ctscale/mpi/sleeping_barrier.hpp"

namespace ctscale::mpi {
namespace {

constexpr int outcome_tag = 7301;
constexpr int team_tag = 7302;

/// A run that failed on the working ranks, as a waiting rank learns it: rank 0 prints the
/// message, this rank only exits with the same code.
class RunFailed : public Error {
public:
    explicit RunFailed(int code) : Error("the working ranks failed"), code_(code) {}
    int exit_code() const noexcept override { return code_; }

private:
    int code_;
};

struct GroupHandle {
    MPI_Group group = MPI_GROUP_NULL;
    ~GroupHandle() {
        if (group != MPI_GROUP_NULL) MPI_Group_free(&group);
    }
};

}  // namespace

int working_rank_count(std::int64_t work_bytes, std::int64_t min_share_bytes, int ranks) {
    if (min_share_bytes <= 0) return ranks;
    const std::int64_t wanted = (std::max<std::int64_t>(work_bytes, 0) + min_share_bytes - 1) / min_share_bytes;
    return static_cast<int>(std::clamp<std::int64_t>(wanted, 1, ranks));
}

WorkingTeam::WorkingTeam(const boost::mpi::communicator& world, std::int64_t work_bytes, std::int64_t min_share_bytes)
    : world_(world), size_(working_rank_count(work_bytes, min_share_bytes, world.size())) {
    if (world.size() > 1) {
        // Ranks reach this seconds apart at many ranks per core: the early ones sleep.
        MPI_Request request;
        CTSCALE_MPI(MPI_Ibcast(&size_, 1, MPI_INT, 0, world, &request));
        wait_sleeping(request, "MPI_Ibcast");
    }
    if (size_ == world.size()) {
        team_ = world;
        return;
    }
    if (!working()) return;
    // MPI_Comm_create_group is collective over the new group only: waiting ranks never join.
    GroupHandle world_group, team_group;
    CTSCALE_MPI(MPI_Comm_group(world, &world_group.group));
    int range[1][3] = {{0, size_ - 1, 1}};
    CTSCALE_MPI(MPI_Group_range_incl(world_group.group, 1, range, &team_group.group));
    MPI_Comm team;
    CTSCALE_MPI(MPI_Comm_create_group(world, team_group.group, team_tag, &team));
    team_ = boost::mpi::communicator(team, boost::mpi::comm_take_ownership);
}

void WorkingTeam::announce_outcome(int exit_code) const {
    if (world_.rank() != 0 || size_ == world_.size()) return;
    std::vector<MPI_Request> requests(static_cast<std::size_t>(world_.size() - size_));
    for (int rank = size_; rank < world_.size(); ++rank) {
        CTSCALE_MPI(MPI_Isend(&exit_code, 1, MPI_INT, rank, outcome_tag, world_, &requests[rank - size_]));
    }
    CTSCALE_MPI(MPI_Waitall(static_cast<int>(requests.size()), requests.data(), MPI_STATUSES_IGNORE));
}

int WorkingTeam::await_outcome() const {
    int exit_code = 1;
    MPI_Request request;
    CTSCALE_MPI(MPI_Irecv(&exit_code, 1, MPI_INT, 0, outcome_tag, world_, &request));
    // Long sleeps: hundreds of waiting ranks polling every millisecond would take a core
    // from the working ones; 20 ms late at the end of a run costs nothing.
    if (!sleeping_wait(request, std::chrono::steady_clock::duration::max(), std::chrono::milliseconds(20))) {
        throw LibraryError("MPI call failed: MPI_Test on MPI_Irecv");
    }
    if (exit_code != 0) throw RunFailed(exit_code);
    return 0;
}

}  // namespace ctscale::mpi
