#pragma once
/// All-to-all exchange of trivially copyable records (MPI_Alltoallv), the pattern by which
/// the transition stage moves bigram counts between layouts. Received records come
/// in rank order, so a fixed rank count gives a fixed order.
#include <mpi.h>

#include <boost/mpi/communicator.hpp>
#include <limits>
#include <type_traits>
#include <vector>

#include "ctscale/error.hpp"
#include "ctscale/mpi/collective.hpp"

namespace ctscale::mpi {

/// Sends `sendbuf`, grouped by destination (send_counts[r] records for rank r, in rank
/// order), and returns everything received, concatenated by source rank. Collective (blocking:
/// MPI's own all-to-all beat a sleeping wait on a non-blocking one at 64 and 128 ranks,
/// BENCHMARKS.md, "Many ranks on one node").
template <class Record>
std::vector<Record> all_to_all(const std::vector<Record>& sendbuf, const std::vector<int>& send_counts,
                               const boost::mpi::communicator& comm) {
    static_assert(std::is_trivially_copyable_v<Record>);
    const int size = comm.size();
    if (sendbuf.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
        throw LibraryError("MPI exchange: more than 2^31 records leaving one rank in one exchange");
    }
    std::vector<int> recv_counts(size), send_offsets(size, 0), recv_offsets(size, 0);
    for (int r = 1; r < size; ++r) send_offsets[r] = send_offsets[r - 1] + send_counts[r - 1];
    CTSCALE_MPI(MPI_Alltoall(send_counts.data(), 1, MPI_INT, recv_counts.data(), 1, MPI_INT, comm));
    long long received = 0;
    for (int r = 0; r < size; ++r) {
        recv_offsets[r] = static_cast<int>(received);
        received += recv_counts[r];
    }
    if (received > std::numeric_limits<int>::max()) {
        throw LibraryError("MPI exchange: more than 2^31 records arriving at one rank in one exchange");
    }
    std::vector<Record> recvbuf(static_cast<std::size_t>(received));
    // Counts are in records of one derived type: the int limit is 2^31 records, not bytes.
    MPI_Datatype type;
    CTSCALE_MPI(MPI_Type_contiguous(static_cast<int>(sizeof(Record)), MPI_BYTE, &type));
    CTSCALE_MPI(MPI_Type_commit(&type));
    const int rc = MPI_Alltoallv(sendbuf.data(), send_counts.data(), send_offsets.data(), type, recvbuf.data(),
                                 recv_counts.data(), recv_offsets.data(), type, comm);
    MPI_Type_free(&type);
    CTSCALE_MPI(rc);
    return recvbuf;
}

/// Routes records without per-destination vectors (large exchanges fault in less memory):
/// `emit(item, push)` calls push(rank, record) for each record an item sends; it is called
/// twice per item, once to count and once to fill. Collective.
template <class Record, class Items, class Emit>
std::vector<Record> route(const Items& items, Emit emit, const boost::mpi::communicator& comm) {
    std::vector<int> counts(static_cast<std::size_t>(comm.size()), 0);
    for (const auto& item : items) emit(item, [&](int rank, const Record&) { ++counts[rank]; });
    std::vector<std::size_t> next(counts.size(), 0);
    for (std::size_t r = 1; r < counts.size(); ++r) next[r] = next[r - 1] + static_cast<std::size_t>(counts[r - 1]);
    std::vector<Record> sendbuf(next.empty() ? 0 : next.back() + static_cast<std::size_t>(counts.back()));
    for (const auto& item : items) emit(item, [&](int rank, const Record& record) { sendbuf[next[rank]++] = record; });
    return all_to_all(sendbuf, counts, comm);
}

}  // namespace ctscale::mpi
