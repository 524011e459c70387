#include "ctscale/synth/tokens.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "ctscale/hdf5/attributes.hpp"
#include "ctscale/hdf5/file.hpp"
#include "ctscale/io/partition.hpp"
#include "ctscale/io/row_io.hpp"
#include "ctscale/synth/random.hpp"

namespace ctscale::synth {
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

    hdf5::File file = hdf5::File::create_parallel(path, comm);
    hdf5::write_attribute(file, "schema", "ctscale.tokens");
    hdf5::write_attribute(file, "schema_version", std::int64_t{1});
    hdf5::write_attribute(file, "vocab_size", settings.vocab_size);
    hdf5::write_attribute(file, "tokenizer", "synthetic");
    hdf5::write_attribute(file, "source", "ctscale-synth Zipf-Markov seed=" + std::to_string(settings.seed));
    const hid_t stored = settings.vocab_size <= 65536 ? H5T_STD_U16LE : H5T_STD_U32LE;
    {  // datasets close before the file: the MPI-IO driver refuses to close a file with open objects
        hdf5::Handle dataset = hdf5::create_dataset_1d(file, "tokens", stored, settings.tokens);
        io::write_rows(dataset, H5T_NATIVE_UINT32, first_token, static_cast<std::int64_t>(tokens.size()), 1,
                       tokens.data());
        if (settings.document_length > 0) {
            std::vector<std::int64_t> offsets;
            for (std::int64_t d = by_document.first(); d < by_document.first() + by_document.count(); ++d) {
                offsets.push_back(d * doc_length);
            }
            hdf5::Handle offsets_dataset = hdf5::create_dataset_1d(file, "document_offsets", H5T_STD_I64LE, documents);
            io::write_rows(offsets_dataset, H5T_NATIVE_INT64, by_document.first(), by_document.count(), 1,
                           offsets.data());
        }
    }
    file.close();
}

}  // namespace ctscale::synth
