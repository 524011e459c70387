// The transition results' journal record reloads bit for bit, and a damaged one is refused.
#include <gtest/gtest.h>

#include "ctscale/error.hpp"
#include "ctscale/transition/transition_record.hpp"

using namespace ctscale::transition;

namespace {

TransitionResults sample() {
    TransitionResults r;
    r.tokens_path = "/data/tokens.h5";
    r.tokenizer = "gpt2";
    r.tokens_source = "ctscale-import";
    r.file_vocab_size = 50257;
    r.tokens = 1000000;
    r.distinct_tokens = 23000;
    r.documents = 17;
    r.null_seed = 42;
    r.full_mode = true;
    for (std::int64_t v : {500, 1000}) {
        TransitionRow row;
        row.vocab_size = v;
        row.tokens = 1000000;
        row.bigrams = 999000 - v;
        row.dangling_rows = v / 100;
        for (int q = 0; q < matrix_count; ++q) {
            row.pr[q] = 1.0 / (q + 3) + double(v);
            row.pr_null[q] = 2.0 / (q + 7);
            row.singular_values[q] = {double(v) * 0.5, 0.25 + q};
        }
        r.rows.push_back(row);
    }
    for (int q = 0; q < matrix_count; ++q) {
        r.slopes[q] = {0.1 * q, 0.01 * q};
        r.slopes_null[q] = {-0.1 * q, 0.02 * q};
    }
    r.warning = "dropped V = 4000";
    r.seconds = 1.25;
    return r;
}

}  // namespace

TEST(TransitionRecord, RoundTripIsBitForBit) {
    const TransitionResults original = sample();
    const TransitionResults back = decode_transition_record(encode_transition_record(original), "record");
    EXPECT_EQ(encode_transition_record(back), encode_transition_record(original)) << "every byte";
    ASSERT_EQ(back.rows.size(), 2u);
    EXPECT_EQ(back.rows[1].pr, original.rows[1].pr);
    EXPECT_EQ(back.rows[0].singular_values[5], original.rows[0].singular_values[5]);
    EXPECT_EQ(back.slopes_null[4].standard_error, original.slopes_null[4].standard_error);
    EXPECT_EQ(back.tokens_path, original.tokens_path);
    EXPECT_EQ(back.full_mode, true);
}

TEST(TransitionRecord, DamagedRecordsAreRefused) {
    const std::string bytes = encode_transition_record(sample());
    std::string flipped = bytes;
    flipped[40] ^= 1;
    EXPECT_THROW(decode_transition_record(flipped, "r"), ctscale::InputError);
    EXPECT_THROW(decode_transition_record(bytes.substr(0, 50), "r"), ctscale::InputError);
}
