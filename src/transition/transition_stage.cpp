#include "ctscale/transition/transition_stage.hpp"

#include <chrono>
#include <cmath>
#include <memory>
#include <numeric>

#include "ctscale/blacs/process_grid.hpp"
#include "ctscale/mpi/collective.hpp"
#include "ctscale/mpi/trace.hpp"
#include "ctscale/transition/bigram_counts.hpp"
#include "ctscale/transition/dense_spectra.hpp"
#include "ctscale/transition/null_stream.hpp"
#include "ctscale/io/token_stream.hpp"
#include "ctscale/transition/vocabulary.hpp"

namespace ctscale::transition {
namespace {

/// Block of the owners' layout: ScaLAPACK's usual 64 (any block gives the same numbers).
constexpr std::int64_t owner_block = 64;

struct StreamCounts {
    std::vector<CountEntry> owned;  ///< this rank's non-zeros of C at the largest V
};

StreamCounts count_stream(const std::vector<std::uint32_t>& tokens, std::int64_t next, const std::vector<bool>& breaks,
                          const Vocabulary& vocabulary, const BlockCyclic& owners,
                          const boost::mpi::communicator& comm) {
    const std::vector<CountEntry> local = count_local_bigrams(tokens, next, breaks, vocabulary.index);
    return {accumulate_at_owners(local, owners, comm)};
}

}  // namespace

LogLogSlope loglog_slope(const std::vector<double>& v, const std::vector<double>& pr) {
    std::vector<double> x, y;
    for (std::size_t k = 0; k < v.size(); ++k) {
        if (std::isfinite(pr[k]) && pr[k] > 0) x.push_back(std::log(v[k])), y.push_back(std::log(pr[k]));
    }
    LogLogSlope fit;
    const std::size_t n = x.size();
    if (n < 2) return fit;
    const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n, my = std::accumulate(y.begin(), y.end(), 0.0) / n;
    double sxx = 0, sxy = 0;
    for (std::size_t k = 0; k < n; ++k) sxx += (x[k] - mx) * (x[k] - mx), sxy += (x[k] - mx) * (y[k] - my);
    if (!(sxx > 0)) return fit;
    fit.slope = sxy / sxx;
    if (n < 3) return fit;
    double ssr = 0;
    for (std::size_t k = 0; k < n; ++k) {
        const double r = y[k] - my - fit.slope * (x[k] - mx);
        ssr += r * r;
    }
    fit.standard_error = std::sqrt(ssr / static_cast<double>(n - 2) / sxx);
    return fit;
}

TransitionResults run_transition_stage(const std::string& tokens_path, const std::vector<std::int64_t>& vocab_sizes,
                                       bool vocab_explicit, std::uint64_t null_seed, bool full_mode,
                                       const boost::mpi::communicator& comm, std::int64_t max_tokens) {
    const auto start = std::chrono::steady_clock::now();
    mpi::trace::phase("transition:read");
    io::TokenSlice slice = io::read_token_slice(tokens_path, comm, std::int64_t{1} << 22, max_tokens);
    mpi::trace::phase("transition:unigrams");
    const std::vector<std::int64_t> counts = global_unigram_counts(slice.tokens, comm);

    TransitionResults results;
    results.tokens_path = tokens_path;
    results.tokenizer = slice.file.tokenizer;
    results.tokens_source = slice.file.source;
    results.file_vocab_size = slice.file.vocab_size;
    results.tokens = slice.file.length;
    results.file_tokens = slice.file.file_length;
    results.distinct_tokens = distinct_tokens(counts);
    results.documents = static_cast<std::int64_t>(slice.file.document_offsets.size());
    results.null_seed = null_seed;
    results.full_mode = full_mode;
    VocabChoice choice;
    mpi::all_or_nothing(
        comm, [&] { choice = choose_vocab_sizes(vocab_sizes, vocab_explicit, results.distinct_tokens, tokens_path); });
    results.warning = choice.warning;

    // One count at the largest V serves every V: the top-V vocabulary is a prefix.
    const Vocabulary vocabulary = top_vocabulary(counts, choice.sizes.back());
    const std::int64_t first = slice.partition.first(), count = slice.partition.count();
    const std::vector<bool> breaks = io::document_breaks(slice.file.document_offsets, first, count);
    const blacs::GridShape shape = blacs::near_square_shape(comm.size());
    const BlockCyclic owners{shape, owner_block};
    std::unique_ptr<blacs::ProcessGrid> grid;
    if (full_mode) grid = std::make_unique<blacs::ProcessGrid>(comm, shape);

    for (const std::int64_t v : choice.sizes) {
        TransitionRow row;
        row.vocab_size = v;
        row.tokens = results.tokens;
        results.rows.push_back(row);
    }
    for (int stream = 0; stream < 2; ++stream) {
        const bool null = stream == 1;
        mpi::trace::phase(null ? "transition:null_counts" : "transition:counts");
        StreamCounts c;
        if (!null) {
            c = count_stream(slice.tokens, slice.next, breaks, vocabulary, owners, comm);
            std::vector<std::uint32_t>().swap(slice.tokens);  // the real stream is no longer needed
        } else {
            const NullSampler sampler(counts, null_seed);
            const std::int64_t next = first + count < results.tokens ? sampler.token(first + count) : -1;
            c = count_stream(sampler.tokens(first, count), next, breaks, vocabulary, owners, comm);
        }
        mpi::trace::phase(null ? "transition:null_Gram" : "transition:Gram");
        const SparseGram gram(c.owned, shape, comm);
        mpi::trace::phase(null ? "transition:null_sums" : "transition:sums");
        for (TransitionRow& row : results.rows) {
            const std::vector<std::int64_t> sums = row_sums(c.owned, row.vocab_size, comm);
            const Six pr = gram.sums(row.vocab_size, sums, comm).pr();
            if (null) {
                row.pr_null = pr;
                continue;
            }
            row.pr = pr;
            row.bigrams = std::accumulate(sums.begin(), sums.end(), std::int64_t{0});
            row.dangling_rows = std::count(sums.begin(), sums.end(), std::int64_t{0});
            if (full_mode) row.singular_values = dense_singular_values(c.owned, row.vocab_size, sums, *grid, comm);
        }
    }

    std::vector<double> v;
    for (const auto& row : results.rows) v.push_back(static_cast<double>(row.vocab_size));
    for (int q = 0; q < matrix_count; ++q) {
        std::vector<double> pr, pr_null;
        for (const auto& row : results.rows) pr.push_back(row.pr[q]), pr_null.push_back(row.pr_null[q]);
        results.slopes[q] = loglog_slope(v, pr);
        results.slopes_null[q] = loglog_slope(v, pr_null);
    }
    results.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return results;
}

}  // namespace ctscale::transition
