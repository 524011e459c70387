// One-rank unit tests of the transition module's pieces: the top-V tie rule, the choice of
// the V list, the null stream's draws, document breaks, local bigram counting, the slope.
#include <gtest/gtest.h>

#include <cmath>

#include "ctscale/error.hpp"
#include "ctscale/util/random.hpp"
#include "ctscale/transition/bigram_counts.hpp"
#include "ctscale/transition/null_stream.hpp"
#include "ctscale/io/token_stream.hpp"
#include "ctscale/transition/transition_stage.hpp"
#include "ctscale/transition/vocabulary.hpp"

using namespace ctscale;
using namespace ctscale::transition;
using ctscale::io::document_breaks;
using ctscale::io::read_token_slice;
using ctscale::io::TokenSlice;

TEST(TopVocabulary, MostFrequentFirstTiesBySmallerId) {
    const std::vector<std::int64_t> counts{3, 5, 5, 0, 3, 1, 5};
    const Vocabulary v4 = top_vocabulary(counts, 4);
    EXPECT_EQ(v4.ids, (std::vector<std::uint32_t>{1, 2, 6, 0}));
    EXPECT_EQ(v4.index[6], 2);
    EXPECT_EQ(v4.index[4], -1);  // count 3 like id 0, but the larger id
    EXPECT_EQ(v4.index[3], -1);
    // The top-V vocabulary is a prefix of every larger one.
    const Vocabulary v6 = top_vocabulary(counts, 6);
    EXPECT_EQ(v6.ids, (std::vector<std::uint32_t>{1, 2, 6, 0, 4, 5}));
    EXPECT_EQ(distinct_tokens(counts), 6);
}

TEST(VocabChoice, ExplicitTooLargeIsAnError) {
    try {
        choose_vocab_sizes({10, 50}, true, 20, "t.h5");
        FAIL() << "no error";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("--vocab 50 is larger than the 20 distinct tokens"), std::string::npos);
    }
}

TEST(VocabChoice, DefaultValuesDroppedWithWarningSortedUnique) {
    const VocabChoice c = choose_vocab_sizes({40, 10, 50, 10, 20}, false, 20, "t.h5");
    EXPECT_EQ(c.sizes, (std::vector<std::int64_t>{10, 20}));
    EXPECT_NE(c.warning.find("V = 40,50"), std::string::npos) << c.warning;
    EXPECT_TRUE(choose_vocab_sizes({10}, false, 20, "t.h5").warning.empty());
    EXPECT_THROW(choose_vocab_sizes({500, 1000}, false, 20, "t.h5"), InputError);
    EXPECT_THROW(choose_vocab_sizes({0}, true, 20, "t.h5"), UsageError);
}

TEST(NullStream, SplitMix64PositionIndexed) {
    // Reference outputs of SplitMix64 seeded with 0 (the generator's published test values).
    EXPECT_EQ(splitmix64_output(0, 0), 0xE220A8397B1DCDAFull);
    EXPECT_EQ(splitmix64_output(0, 1), 0x6E789E6AA1B965F4ull);
    EXPECT_EQ(splitmix64_output(0, 2), 0x06C45D188009454Full);
    // Output n of seed s is the n-th call of one generator.
    util::SplitMix64 generator{12345};
    for (std::uint64_t n = 0; n < 5; ++n) EXPECT_EQ(splitmix64_output(12345, n), generator.next());
}

TEST(NullStream, InverseCdfOfTheUnigramCounts) {
    const std::vector<std::int64_t> counts{2, 0, 3, 1};  // T = 6: r 0,1 -> 0; 2,3,4 -> 2; 5 -> 3
    const NullSampler sampler(counts, 7);
    const std::uint32_t expected_of_r[6] = {0, 0, 2, 2, 2, 3};
    for (std::int64_t s = 0; s < 50; ++s) {
        const std::uint64_t r = splitmix64_output(7, static_cast<std::uint64_t>(s)) % 6;
        EXPECT_EQ(sampler.token(s), expected_of_r[r]) << "position " << s;
    }
    EXPECT_EQ(sampler.tokens(10, 5)[2], sampler.token(12));
}

TEST(DocumentBreaks, PairDroppedWhenNextPositionStartsADocument) {
    // Positions 2..6; s + 1 ∈ {3, 5} → k = 0 and 2; offsets 0 and 10 fall outside.
    const std::vector<bool> b = document_breaks({0, 3, 5, 10}, 2, 5);
    EXPECT_EQ(b, (std::vector<bool>{true, false, true, false, false}));
    // The pair into the next slice: s = 6, s + 1 = 7.
    EXPECT_EQ(document_breaks({7}, 2, 5), (std::vector<bool>{false, false, false, false, true}));
}

TEST(LocalBigrams, VocabularyBreaksAndTheNextToken) {
    // ids 0..4; vocabulary {3 -> 0, 1 -> 1, 0 -> 2}; ids 2 and 4 are outside.
    const std::vector<std::int32_t> index{2, 1, -1, 0, -1};
    const std::vector<std::uint32_t> tokens{3, 1, 3, 1, 2, 0, 3};
    const std::vector<bool> breaks{false, false, true, false, false, false, false};
    // Pairs: (3,1) (1,3) [break] (1,2)x (2,0)x (0,3) (3,next=1)
    const std::vector<CountEntry> e = count_local_bigrams(tokens, 1, breaks, index);
    ASSERT_EQ(e.size(), 3u);
    EXPECT_EQ((std::array<std::int64_t, 3>{e[0].row, e[0].col, e[0].count}), (std::array<std::int64_t, 3>{0, 1, 2}));
    EXPECT_EQ((std::array<std::int64_t, 3>{e[1].row, e[1].col, e[1].count}), (std::array<std::int64_t, 3>{1, 0, 1}));
    EXPECT_EQ((std::array<std::int64_t, 3>{e[2].row, e[2].col, e[2].count}), (std::array<std::int64_t, 3>{2, 0, 1}));
    // Without a next token the last pair is not counted.
    EXPECT_EQ(count_local_bigrams(tokens, -1, breaks, index)[0].count, 1);
}

TEST(LogLogSlope, PowerLawAndDegenerateCases) {
    const std::vector<double> v{500, 1000, 2000, 4000};
    std::vector<double> pr;
    for (double x : v) pr.push_back(3.0 * std::pow(x, -0.25));
    const LogLogSlope fit = loglog_slope(v, pr);
    EXPECT_NEAR(fit.slope, -0.25, 1e-12);
    EXPECT_NEAR(fit.standard_error, 0.0, 1e-7);
    EXPECT_TRUE(std::isnan(loglog_slope({500}, {2.0}).slope));
    const LogLogSlope two = loglog_slope({500, 1000}, {2.0, 4.0});
    EXPECT_NEAR(two.slope, 1.0, 1e-12);
    EXPECT_TRUE(std::isnan(two.standard_error));
    // NaN PRs (a zero skew part) are left out.
    EXPECT_NEAR(loglog_slope({10, 20, 40}, {NAN, 2.0, 4.0}).slope, 1.0, 1e-12);
}
