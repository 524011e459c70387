#include "ctscale/synth/tokens.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "ctscale/io/partition.hpp"
#include "ctscale/io/token_stream.hpp"
#include "ctscale/util/random.hpp"

namespace ctscale::synth {
using util::hash_name;
using util::Random;

namespace {

constexpr int fanout = 4;
constexpr double follow_probability = 0.6;
constexpr double successor_cdf[fanout] = {0.5, 0.75, 0.9, 1.0};

class MarkovSource {
public:
    MarkovSource(std::int64_t vocab, std::uint64_t seed) : cdf_(static_cast<std::size_t>(vocab)) {
        double total = 0;
        for (std::int64_t t = 0; t < vocab; ++t) cdf_[t] = total += std::pow(double(t + 1), -1.1);
        for (double& c : cdf_) c /= total;
        Random random(seed, hash_name("successors"));
        successors_.resize(static_cast<std::size_t>(vocab * fanout));
        for (auto& s : successors_) s = zipf(random);
    }
    std::uint32_t zipf(Random& random) const {
        auto it = std::upper_bound(cdf_.begin(), cdf_.end(), random.uniform());
        return static_cast<std::uint32_t>(std::min<std::ptrdiff_t>(it - cdf_.begin(), cdf_.size() - 1));
    }
    std::uint32_t next(std::uint32_t current, Random& random) const {
        if (random.uniform() >= follow_probability) return zipf(random);
        const double u = random.uniform();
        int j = 0;
        while (j + 1 < fanout && u >= successor_cdf[j]) ++j;
        return successors_[current * fanout + j];
    }

private:
    std::vector<double> cdf_;
    std::vector<std::uint32_t> successors_;
};

}  // namespace

void write_token_stream(const std::string& path, const TokenStreamSettings& settings,
                        const boost::mpi::communicator& comm) {
    const std::int64_t doc_length = settings.document_length > 0 ? settings.document_length : settings.tokens;
    const std::int64_t documents = (settings.tokens + doc_length - 1) / doc_length;
    const io::RowPartition by_document{documents, comm.size(), comm.rank()};
    const MarkovSource source(settings.vocab_size, settings.seed);

    std::vector<std::uint32_t> tokens;
    const std::int64_t first_token = by_document.first() * doc_length;
    for (std::int64_t d = by_document.first(); d < by_document.first() + by_document.count(); ++d) {
        Random random(settings.seed, hash_name("document"), static_cast<std::uint64_t>(d));
        const std::int64_t length = std::min(doc_length, settings.tokens - d * doc_length);
        std::uint32_t token = source.zipf(random);
        for (std::int64_t i = 0; i < length; ++i) {
            tokens.push_back(token);
            token = source.next(token, random);
        }
    }

    const io::TokenStreamHeader header{settings.vocab_size, "synthetic",
                                       "ctscale-synth Zipf-Markov seed=" + std::to_string(settings.seed)};
    io::TokenStreamWriter file(path, header, settings.tokens, settings.document_length > 0 ? documents : 0, comm);
    file.write_tokens(first_token, static_cast<std::int64_t>(tokens.size()), tokens.data());
    if (settings.document_length > 0) {
        std::vector<std::int64_t> offsets;
        for (std::int64_t d = by_document.first(); d < by_document.first() + by_document.count(); ++d) {
            offsets.push_back(d * doc_length);
        }
        file.write_document_offsets(by_document.first(), by_document.count(), offsets.data());
    }
    file.close();
}

}  // namespace ctscale::synth
