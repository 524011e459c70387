// Distributed counting on 1..4 ranks against a serial count in the test: slices and the
// pair that crosses into the next slice, document offsets on slice boundaries, owners of
// the block-cyclic layout, the sparse Gram PRs against a dense Gram, and agreed errors.
#include <gtest/gtest.h>
#include <mpi.h>

#include <boost/mpi/collectives.hpp>
#include <boost/serialization/vector.hpp>
#include <boost/mpi/communicator.hpp>
#include <cmath>
#include <filesystem>
#include <map>

#include "ctscale/error.hpp"
#include "ctscale/hdf5/attributes.hpp"
#include "ctscale/hdf5/file.hpp"
#include "ctscale/transition/bigram_counts.hpp"
#include "ctscale/transition/sparse_gram.hpp"
#include "ctscale/io/token_stream.hpp"
#include "ctscale/transition/transition_stage.hpp"
#include "ctscale/transition/vocabulary.hpp"

using namespace ctscale;
using namespace ctscale::transition;
using ctscale::io::document_breaks;
using ctscale::io::read_token_slice;
using ctscale::io::TokenSlice;

namespace {

/// Rank 0 writes a token file serially (`stored` is the HDF5 type of /tokens); all wait.
std::string write_tokens(const std::string& name, const std::vector<std::int64_t>& tokens, hid_t stored,
                         const std::vector<std::int64_t>& offsets, std::int64_t vocab_size) {
    boost::mpi::communicator world;
    const std::string path =
        (std::filesystem::temp_directory_path() / (name + "_np" + std::to_string(world.size()) + ".h5")).string();
    if (world.rank() == 0) {
        hdf5::File file = hdf5::File::create_serial(path);
        hdf5::write_attribute(file, "schema", "ctscale.tokens");
        hdf5::write_attribute(file, "schema_version", std::int64_t{1});
        hdf5::write_attribute(file, "vocab_size", vocab_size);
        hdf5::write_attribute(file, "tokenizer", "test");
        hdf5::write_attribute(file, "source", "test_transition_counts");
        const auto write = [&](const char* dataset_name, const std::vector<std::int64_t>& values, hid_t type) {
            hsize_t n = values.size();
            hdf5::Handle space = hdf5::dataspace(H5Screate_simple(1, &n, nullptr), "H5Screate_simple");
            hdf5::Handle d(H5Dcreate2(file, dataset_name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose,
                           "H5Dcreate2");
            if (n) hdf5::check(H5Dwrite(d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), "H5Dwrite");
        };
        write("tokens", tokens, stored);
        if (!offsets.empty()) write("document_offsets", offsets, H5T_STD_I64LE);
        file.close();
    }
    world.barrier();
    return path;
}

/// A 60-token stream over ids 0..11 with a Zipf-like mix and repeated pairs.
std::vector<std::int64_t> stream60() {
    std::vector<std::int64_t> t;
    for (int s = 0; s < 60; ++s)
        t.push_back((s * s + 3 * s) % 7 == 0 ? 11 : (s * 7 + s / 5) % 6 + (s % 4 == 0 ? 6 : 0));
    return t;
}

/// Serial reference: C[V×V] of the vocabulary ranks, pairs not crossing an offset.
std::map<std::pair<int, int>, std::int64_t> serial_counts(const std::vector<std::int64_t>& t,
                                                          const std::vector<std::int64_t>& offsets,
                                                          const Vocabulary& vocab) {
    std::map<std::pair<int, int>, std::int64_t> c;
    for (std::size_t s = 0; s + 1 < t.size(); ++s) {
        if (std::find(offsets.begin(), offsets.end(), static_cast<std::int64_t>(s + 1)) != offsets.end()) continue;
        const int a = vocab.index[t[s]], b = vocab.index[t[s + 1]];
        if (a >= 0 && b >= 0) ++c[{a, b}];
    }
    return c;
}

}  // namespace

TEST(DistributedCounts, SlicesOffsetsAndOwnersMatchTheSerialCount) {
    boost::mpi::communicator world;
    const std::vector<std::int64_t> tokens = stream60();
    // Offsets on the slice boundaries of 2, 3 and 4 ranks (15, 20, 30, 40, 45) and at 0 and T.
    const std::vector<std::int64_t> offsets{0, 15, 20, 31, 40, 45, 59, 60};
    const std::string path = write_tokens("transition_counts", tokens, H5T_STD_U16LE, offsets, 12);
    const TokenSlice slice = read_token_slice(path, world, 7);  // small blocks: several collective steps
    const std::vector<std::int64_t> counts = global_unigram_counts(slice.tokens, world);
    for (const std::int64_t v : {3, 8, 12}) {
        const Vocabulary vocab = top_vocabulary(counts, v);
        const auto breaks = document_breaks(offsets, slice.partition.first(), slice.partition.count());
        const BlockCyclic layout{blacs::near_square_shape(world.size()), 2};
        const auto owned =
            accumulate_at_owners(count_local_bigrams(slice.tokens, slice.next, breaks, vocab.index), layout, world);
        for (const auto& e : owned) EXPECT_EQ(layout.owner(e.row, e.col), world.rank());
        std::vector<std::vector<std::int64_t>> gathered;
        std::vector<std::int64_t> flat;
        for (const auto& e : owned) flat.insert(flat.end(), {e.row, e.col, e.count});
        boost::mpi::gather(world, flat, gathered, 0);
        if (world.rank() == 0) {
            std::map<std::pair<int, int>, std::int64_t> got;
            for (const auto& part : gathered) {
                for (std::size_t k = 0; k < part.size(); k += 3) got[{int(part[k]), int(part[k + 1])}] += part[k + 2];
            }
            EXPECT_EQ(got, serial_counts(tokens, offsets, vocab)) << "V = " << v;
        }
    }
}

TEST(DistributedCounts, SparseGramEqualsDenseGram) {
    boost::mpi::communicator world;
    const std::vector<std::int64_t> tokens = stream60();
    const std::string path = write_tokens("transition_gram", tokens, H5T_STD_I32LE, {}, 12);
    const TokenSlice slice = read_token_slice(path, world);
    const Vocabulary vocab = top_vocabulary(global_unigram_counts(slice.tokens, world), 10);
    const auto breaks = document_breaks({}, slice.partition.first(), slice.partition.count());
    const blacs::GridShape shape = blacs::near_square_shape(world.size());
    const auto owned = accumulate_at_owners(count_local_bigrams(slice.tokens, slice.next, breaks, vocab.index),
                                            BlockCyclic{shape, 3}, world);
    const SparseGram gram(owned, shape, world);
    for (const std::int64_t v : {4, 10}) {
        const std::vector<std::int64_t> sums = row_sums(owned, v, world);
        const GramSums got = gram.sums(v, sums, world);
        // Dense: the six matrices, then Σx² and ‖XᵀX‖_F² by the definition.
        std::vector<double> c(v * v, 0.0);
        for (const auto& [pos, n] : serial_counts(tokens, {}, vocab)) {
            if (pos.first < v && pos.second < v) c[pos.first * v + pos.second] = double(n);
        }
        for (int q = 0; q < matrix_count; ++q) {
            std::vector<double> x(v * v);
            for (std::int64_t i = 0; i < v; ++i) {
                for (std::int64_t j = 0; j < v; ++j) {
                    const PairEntry e{int(i), int(j), std::int64_t(c[i * v + j]), std::int64_t(c[j * v + i])};
                    x[i * v + j] = six_values(e, sums)[q];
                }
            }
            double fro = 0, g2 = 0;
            for (double value : x) fro += value * value;
            for (std::int64_t j = 0; j < v; ++j) {
                for (std::int64_t k = 0; k < v; ++k) {
                    double g = 0;
                    for (std::int64_t i = 0; i < v; ++i) g += x[i * v + j] * x[i * v + k];
                    g2 += g * g;
                }
            }
            EXPECT_NEAR(got.frobenius_sq[q], fro, 1e-12 * fro) << matrix_names[q] << " V = " << v;
            EXPECT_NEAR(got.gram_sq[q], g2, 1e-12 * g2) << matrix_names[q] << " V = " << v;
        }
    }
}

TEST(DistributedCounts, FirstBadIdIsNamedOnEveryRank) {
    std::vector<std::int64_t> tokens = stream60();
    tokens[37] = 999;
    tokens[50] = -3;
    tokens[52] = 12;
    const std::string path = write_tokens("transition_bad_ids", tokens, H5T_STD_I32LE, {}, 12);
    try {
        read_token_slice(path, boost::mpi::communicator(), 5);
        FAIL() << "no error";
    } catch (const InputError& e) {
        const std::string text = e.what();
        EXPECT_NE(text.find("/tokens: 3 token id(s) outside [0, 12), first at index 37 (value 999)"), std::string::npos)
            << text;
    }
    tokens[37] = 1;
    const std::string negative = write_tokens("transition_negative", tokens, H5T_STD_I32LE, {}, 12);
    try {
        read_token_slice(negative, boost::mpi::communicator());
        FAIL() << "no error";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("first at index 50 (value -3)"), std::string::npos) << e.what();
    }
}

TEST(DistributedCounts, StreamShorterThanTheRankCount) {
    boost::mpi::communicator world;
    const std::string path = write_tokens("transition_tiny", {2, 1, 2}, H5T_STD_U8LE, {}, 3);
    const TransitionResults r = run_transition_stage(path, {1, 2}, true, 0, false, world);
    ASSERT_EQ(r.rows.size(), 2u);
    EXPECT_EQ(r.tokens, 3);
    EXPECT_EQ(r.rows[1].bigrams, 2);  // (2,1) and (1,2)
    EXPECT_EQ(r.rows[0].bigrams, 0);  // V = 1: only id 2, and (2,2) never occurs
    EXPECT_EQ(r.rows[0].dangling_rows, 1);
    EXPECT_NEAR(r.rows[1].pr[0], 2.0, 1e-14);  // a permutation matrix: two equal singular values
    EXPECT_TRUE(std::isnan(r.rows[0].pr[0]));
}
