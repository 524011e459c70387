#include "ctscale/transition/bigram_counts.hpp"

#include <mpi.h>

#include <algorithm>

#include "ctscale/mpi/collective.hpp"
#include "ctscale/mpi/exchange.hpp"

namespace ctscale::transition {

std::vector<CountEntry> count_local_bigrams(const std::vector<std::uint32_t>& tokens, std::int64_t next,
                                            const std::vector<bool>& breaks, const std::vector<std::int32_t>& index) {
    const auto rank_of = [&](std::int64_t id) -> std::int64_t {
        return id >= 0 && id < static_cast<std::int64_t>(index.size()) ? index[static_cast<std::size_t>(id)] : -1;
    };
    std::int64_t v = 0;
    for (std::int32_t k : index) v = std::max<std::int64_t>(v, k + 1);
    // Pairs as 64-bit keys row·V + col, sorted and run-length counted: deterministic, no hashing.
    std::vector<std::uint64_t> keys;
    keys.reserve(tokens.size());
    const std::size_t n = tokens.size();
    for (std::size_t k = 0; k < n; ++k) {
        if (breaks[k]) continue;
        const std::int64_t following = k + 1 < n ? tokens[k + 1] : next;
        const std::int64_t a = rank_of(tokens[k]), b = rank_of(following);
        if (a >= 0 && b >= 0) keys.push_back(static_cast<std::uint64_t>(a) * v + static_cast<std::uint64_t>(b));
    }
    std::sort(keys.begin(), keys.end());
    std::vector<CountEntry> entries;
    for (std::size_t k = 0; k < keys.size();) {
        std::size_t end = k;
        while (end < keys.size() && keys[end] == keys[k]) ++end;
        entries.push_back({static_cast<std::int32_t>(keys[k] / v), static_cast<std::int32_t>(keys[k] % v),
                           static_cast<std::int64_t>(end - k)});
        k = end;
    }
    return entries;
}

void merge_entries(std::vector<CountEntry>& entries) {
    std::sort(entries.begin(), entries.end(),
              [](const CountEntry& x, const CountEntry& y) { return x.row != y.row ? x.row < y.row : x.col < y.col; });
    std::size_t out = 0;
    for (std::size_t k = 0; k < entries.size(); ++k) {
        if (out > 0 && entries[out - 1].row == entries[k].row && entries[out - 1].col == entries[k].col) {
            entries[out - 1].count += entries[k].count;
        } else {
            entries[out++] = entries[k];
        }
    }
    entries.resize(out);
}

std::vector<CountEntry> accumulate_at_owners(const std::vector<CountEntry>& local, const BlockCyclic& layout,
                                             const boost::mpi::communicator& comm) {
    std::vector<CountEntry> owned = mpi::route<CountEntry>(
        local, [&](const CountEntry& e, auto push) { push(layout.owner(e.row, e.col), e); }, comm);
    merge_entries(owned);
    return owned;
}

std::vector<std::int64_t> row_sums(const std::vector<CountEntry>& owned, std::int64_t v,
                                   const boost::mpi::communicator& comm) {
    std::vector<std::int64_t> sums(static_cast<std::size_t>(v), 0);
    for (const CountEntry& e : owned) {
        if (e.row < v && e.col < v) sums[e.row] += e.count;
    }
    if (v > 0) {
        CTSCALE_MPI(MPI_Allreduce(MPI_IN_PLACE, sums.data(), static_cast<int>(v), MPI_INT64_T, MPI_SUM, comm));
    }
    return sums;
}

}  // namespace ctscale::transition
