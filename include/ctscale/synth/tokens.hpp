#pragma once
/// Synthetic token streams (hdf5_schemas/README.md): a Zipf-distributed sparse Markov source.
///
/// Unigram p(t) ∝ (t + 1)^(−1.1). Each token t has 4 successors drawn from that Zipf law
/// once per stream; the next token is, with probability 0.6, one of t's successors
/// (weights 0.5, 0.25, 0.15, 0.1), else a fresh Zipf draw. Documents have a fixed length
/// and each is generated from its own seeded stream, so the file is the same for any rank count.
#include <boost/mpi/communicator.hpp>
#include <cstdint>
#include <string>

namespace ctscale::synth {

struct TokenStreamSettings {
    std::int64_t tokens = 1'000'000;
    std::int64_t vocab_size = 8000;
    std::int64_t document_length = 512;  ///< 0: one document, no /document_offsets
    std::uint64_t seed = 0;
};

/// Collective: writes a `ctscale.tokens` file.
void write_token_stream(const std::string& path, const TokenStreamSettings& settings,
                        const boost::mpi::communicator& comm);

}  // namespace ctscale::synth
