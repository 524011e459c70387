#include "ctscale/transition/vocabulary.hpp"

#include <mpi.h>

#include <algorithm>
#include <limits>
#include <numeric>

#include "ctscale/error.hpp"
#include "ctscale/mpi/collective.hpp"

namespace ctscale::transition {

std::vector<std::int64_t> global_unigram_counts(const std::vector<std::uint32_t>& local_tokens,
                                                const boost::mpi::communicator& comm) {
    std::int64_t local_max = -1, max_id = -1;
    for (std::uint32_t t : local_tokens) local_max = std::max<std::int64_t>(local_max, t);
    CTSCALE_MPI(MPI_Allreduce(&local_max, &max_id, 1, MPI_INT64_T, MPI_MAX, comm));
    if (max_id >= std::numeric_limits<int>::max()) throw InputError("token ids above 2^31 are not supported");
    // Sized by the largest id seen, not the file's vocab_size: memory follows the data.
    std::vector<std::int64_t> counts(static_cast<std::size_t>(max_id + 1), 0);
    for (std::uint32_t t : local_tokens) ++counts[t];
    if (!counts.empty()) {
        CTSCALE_MPI(
            MPI_Allreduce(MPI_IN_PLACE, counts.data(), static_cast<int>(counts.size()), MPI_INT64_T, MPI_SUM, comm));
    }
    return counts;
}

std::int64_t distinct_tokens(const std::vector<std::int64_t>& counts) {
    return std::count_if(counts.begin(), counts.end(), [](std::int64_t c) { return c > 0; });
}

Vocabulary top_vocabulary(const std::vector<std::int64_t>& counts, std::int64_t v) {
    std::vector<std::uint32_t> order(counts.size());
    std::iota(order.begin(), order.end(), 0u);
    const auto more_frequent = [&](std::uint32_t a, std::uint32_t b) {
        return counts[a] != counts[b] ? counts[a] > counts[b] : a < b;
    };
    v = std::clamp<std::int64_t>(v, 0, static_cast<std::int64_t>(order.size()));
    std::partial_sort(order.begin(), order.begin() + v, order.end(), more_frequent);
    Vocabulary vocabulary;
    vocabulary.ids.assign(order.begin(), order.begin() + v);
    vocabulary.index.assign(counts.size(), -1);
    for (std::int64_t k = 0; k < v; ++k) vocabulary.index[vocabulary.ids[k]] = static_cast<std::int32_t>(k);
    return vocabulary;
}

VocabChoice choose_vocab_sizes(const std::vector<std::int64_t>& requested, bool explicit_list, std::int64_t distinct,
                               const std::string& path) {
    VocabChoice choice;
    std::vector<std::int64_t> dropped;
    for (std::int64_t v : requested) {
        if (v < 1) throw UsageError("--vocab: every V must be >= 1");
        if (v <= distinct) {
            choice.sizes.push_back(v);
        } else if (explicit_list) {
            throw InputError(path + ": --vocab " + std::to_string(v) + " is larger than the " +
                             std::to_string(distinct) + " distinct tokens of the stream");
        } else {
            dropped.push_back(v);
        }
    }
    std::sort(choice.sizes.begin(), choice.sizes.end());
    choice.sizes.erase(std::unique(choice.sizes.begin(), choice.sizes.end()), choice.sizes.end());
    if (!dropped.empty()) {
        std::string list;
        for (std::int64_t v : dropped) {
            if (!list.empty()) list += ',';
            list += std::to_string(v);
        }
        choice.warning = path + ": the stream has " + std::to_string(distinct) + " distinct tokens; V = " + list +
                         " of the default --vocab list dropped";
    }
    if (choice.sizes.empty()) {
        throw InputError(path + ": no V of the default --vocab list fits the " + std::to_string(distinct) +
                         " distinct tokens of the stream; give --vocab");
    }
    return choice;
}

}  // namespace ctscale::transition
