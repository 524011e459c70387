#include "ctscale/transition/transition_record.hpp"

#include "ctscale/error.hpp"
#include "ctscale/io/binary_record.hpp"

namespace ctscale::transition {
namespace {

constexpr std::string_view magic = "ctscale-transition-record-1\n";

void write_slopes(io::RecordWriter& w, const std::array<LogLogSlope, matrix_count>& slopes) {
    for (const LogLogSlope& s : slopes) {
        w.value(s.slope);
        w.value(s.standard_error);
    }
}

void read_slopes(io::RecordReader& in, std::array<LogLogSlope, matrix_count>& slopes) {
    for (LogLogSlope& s : slopes) {
        s.slope = in.value<double>();
        s.standard_error = in.value<double>();
    }
}

}  // namespace

std::string encode_transition_record(const TransitionResults& r) {
    io::RecordWriter w(magic);
    w.value(std::uint64_t{matrix_count});
    w.text(r.tokens_path);
    w.text(r.tokenizer);
    w.text(r.tokens_source);
    for (std::int64_t v : {r.file_vocab_size, r.tokens, r.distinct_tokens, r.documents}) w.value(v);
    w.value(r.null_seed);
    w.value(r.full_mode);
    w.value(std::uint64_t{r.rows.size()});
    for (const TransitionRow& row : r.rows) {
        for (std::int64_t v : {row.vocab_size, row.tokens, row.bigrams, row.dangling_rows}) w.value(v);
        w.value(row.pr);
        w.value(row.pr_null);
        for (const auto& sigma : row.singular_values) w.doubles(sigma);
    }
    write_slopes(w, r.slopes);
    write_slopes(w, r.slopes_null);
    w.text(r.warning);
    w.value(r.seconds);
    return w.finish();
}

TransitionResults decode_transition_record(std::string_view bytes, const std::string& source) {
    io::RecordReader in(bytes, magic, source);
    if (in.value<std::uint64_t>() != matrix_count) {
        throw InputError(source + ": a transition record of another ctscale version");
    }
    TransitionResults r;
    r.tokens_path = in.text();
    r.tokenizer = in.text();
    r.tokens_source = in.text();
    for (std::int64_t* v : {&r.file_vocab_size, &r.tokens, &r.distinct_tokens, &r.documents}) {
        *v = in.value<std::int64_t>();
    }
    r.null_seed = in.value<std::uint64_t>();
    r.full_mode = in.value<bool>();
    r.rows.resize(in.value<std::uint64_t>());
    for (TransitionRow& row : r.rows) {
        for (std::int64_t* v : {&row.vocab_size, &row.tokens, &row.bigrams, &row.dangling_rows}) {
            *v = in.value<std::int64_t>();
        }
        row.pr = in.value<Six>();
        row.pr_null = in.value<Six>();
        for (auto& sigma : row.singular_values) sigma = in.doubles();
    }
    read_slopes(in, r.slopes);
    read_slopes(in, r.slopes_null);
    r.warning = in.text();
    r.seconds = in.value<double>();
    in.done();
    return r;
}

}  // namespace ctscale::transition
