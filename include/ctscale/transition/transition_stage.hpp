#pragma once
/// The transition-matrix stage (docs/definitions.md §7, docs/computation.md): for each V, the six
/// participation ratios of the bigram counts C and the row-normalised P, of their symmetric and skew
/// parts, for the token stream and for its i.i.d. null stream; the log-log slope of each
/// against V; in full mode the singular values. See bigram_counts.hpp (counting),
/// sparse_gram.hpp (the PRs), dense_spectra.hpp (full mode), null_stream.hpp.
#include <array>
#include <boost/mpi/communicator.hpp>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "ctscale/transition/sparse_gram.hpp"

namespace ctscale::transition {

/// One V: a row of /transition/summary.
struct TransitionRow {
    std::int64_t vocab_size = 0;
    std::int64_t tokens = 0;         ///< T, the stream length
    std::int64_t bigrams = 0;        ///< Σ C
    std::int64_t dangling_rows = 0;  ///< empty rows of C (zero rows of P)
    Six pr{};                        ///< in the order of matrix_names
    Six pr_null{};                   ///< the same for the null stream
    /// Full mode, rank 0: singular values of the six matrices of the stream, descending.
    std::array<std::vector<double>, matrix_count> singular_values;
};

/// Least-squares slope of ln(pr) against ln(V) and its standard error (NaN with fewer than
/// 2 resp. 3 finite positive PRs).
struct LogLogSlope {
    double slope = std::numeric_limits<double>::quiet_NaN();
    double standard_error = std::numeric_limits<double>::quiet_NaN();
};
LogLogSlope loglog_slope(const std::vector<double>& v, const std::vector<double>& pr);

struct TransitionResults {
    std::string tokens_path;
    std::string tokenizer;
    std::string tokens_source;
    std::int64_t file_vocab_size = 0;  ///< the token file's vocab_size attribute
    std::int64_t tokens = 0;           ///< T, as analysed
    std::int64_t file_tokens = 0;      ///< tokens in the file (more than T when a prefix was analysed)
    std::int64_t distinct_tokens = 0;
    std::int64_t documents = 0;  ///< entries of /document_offsets (0 without)
    std::uint64_t null_seed = 0;
    bool full_mode = false;
    std::vector<TransitionRow> rows;  ///< ascending V
    std::array<LogLogSlope, matrix_count> slopes;
    std::array<LogLogSlope, matrix_count> slopes_null;
    /// Non-empty when values of the default V list were dropped: for rank 0 to print.
    std::string warning;
    double seconds = 0;  ///< wall time of the stage (time_transition)
};

/// Collective over `comm`. `vocab_sizes` from --vocab; `vocab_explicit` when the user gave
/// it (then a V above the distinct tokens is an error, else it is dropped with a warning).
/// Every field is filled on every rank alike, except the singular values (rank 0 only).
/// Input problems throw the same InputError on every rank. `max_tokens` analyses only a
/// prefix of the stream (--dry-run's calibration).
TransitionResults run_transition_stage(const std::string& tokens_path, const std::vector<std::int64_t>& vocab_sizes,
                                       bool vocab_explicit, std::uint64_t null_seed, bool full_mode,
                                       const boost::mpi::communicator& comm,
                                       std::int64_t max_tokens = std::numeric_limits<std::int64_t>::max());

}  // namespace ctscale::transition
