#pragma once
/// Global unigram counts, the top-V vocabulary (docs/definitions.md §7) and the choice of the V list.
#include <boost/mpi/communicator.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace ctscale::transition {

/// Counts of every id 0..max id over the whole stream (a sum over ranks; exact integers).
/// Collective.
std::vector<std::int64_t> global_unigram_counts(const std::vector<std::uint32_t>& local_tokens,
                                                const boost::mpi::communicator& comm);

/// Ids with a non-zero count.
std::int64_t distinct_tokens(const std::vector<std::int64_t>& counts);

/// The V most frequent ids, most frequent first, ties broken by the smaller id. Because
/// the order is total, the top-V vocabulary is a prefix of the top-V' one for V < V', so one
/// count at the largest V serves every smaller V as its leading V×V block.
struct Vocabulary {
    std::vector<std::uint32_t> ids;   ///< ids[k]: the id of rank k
    std::vector<std::int32_t> index;  ///< index[id]: its rank k, or −1 outside the vocabulary
    std::int64_t size() const noexcept { return static_cast<std::int64_t>(ids.size()); }
};
Vocabulary top_vocabulary(const std::vector<std::int64_t>& counts, std::int64_t v);

/// The V values to analyse, ascending and without duplicates. An explicit list (--vocab
/// given) with a V above `distinct` is an InputError naming the file; values of the default
/// list above it are dropped and described in `warning` (empty when nothing was dropped).
/// A default list of which nothing fits is an InputError too.
struct VocabChoice {
    std::vector<std::int64_t> sizes;
    std::string warning;
};
VocabChoice choose_vocab_sizes(const std::vector<std::int64_t>& requested, bool explicit_list, std::int64_t distinct,
                               const std::string& path);

}  // namespace ctscale::transition
