#include "ctscale/transition/transition_report.hpp"

#include <cmath>
#include <cstdio>
#include <ostream>

namespace ctscale::transition {

std::string pr_column(int q, bool null, const char* prefix) {
    std::string name = prefix;
    name += "pr_";
    name += matrix_names[q];
    if (null) name += "_null";
    return name;
}

namespace {

std::string format(const char* pattern, double value) {
    if (!std::isfinite(value)) return "nan";
    char text[64];
    std::snprintf(text, sizeof text, pattern, value);
    return text;
}

std::string cell(const std::string& text) {
    char padded[32];
    std::snprintf(padded, sizeof padded, " %9s", text.c_str());
    return padded;
}

nlohmann::json number(double value) { return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(); }

void print_table(std::ostream& out, const TransitionResults& results, bool null) {
    char line[256];
    std::snprintf(line, sizeof line, "  %6s %10s %8s %9s %9s %9s %9s %9s %9s\n", "V", "bigrams", "dangling", "counts",
                  "sym", "skew", "P", "P sym", "P skew");
    out << line;
    for (const TransitionRow& row : results.rows) {
        const Six& pr = null ? row.pr_null : row.pr;
        std::snprintf(line, sizeof line, "  %6lld %10s %8s", static_cast<long long>(row.vocab_size),
                      null ? "" : std::to_string(row.bigrams).c_str(),
                      null ? "" : std::to_string(row.dangling_rows).c_str());
        out << line;
        for (double value : pr) out << cell(format("%.4g", value));
        out << "\n";
    }
    const auto& slopes = null ? results.slopes_null : results.slopes;
    std::snprintf(line, sizeof line, "  %-26s", "slope of ln PR vs ln V");
    out << line;
    for (const LogLogSlope& s : slopes) out << cell(format("%+.3f", s.slope));
    out << "\n";
    std::snprintf(line, sizeof line, "  %-26s", "  standard error");
    out << line;
    for (const LogLogSlope& s : slopes) out << cell(format("%.3f", s.standard_error));
    out << "\n";
}

}  // namespace

void print_transition_summary(std::ostream& out, const TransitionResults& results) {
    out << "\nTransition matrix PR, (Σσ²)²/Σσ⁴, of " << results.tokens_path << " (" << results.tokens << " tokens, "
        << results.distinct_tokens << " distinct, " << results.documents << " documents)\n";
    print_table(out, results, false);
    out << "Null stream: i.i.d. from the unigram counts, same length and documents (null seed " << results.null_seed
        << ")\n";
    print_table(out, results, true);
}

nlohmann::json transition_json(const TransitionResults& results) {
    nlohmann::json out = {{"tokens_file", results.tokens_path}, {"tokenizer", results.tokenizer},
                          {"tokens", results.tokens},           {"distinct_tokens", results.distinct_tokens},
                          {"documents", results.documents},     {"null_seed", results.null_seed},
                          {"rows", nlohmann::json::array()},    {"slopes", nlohmann::json::object()}};
    for (const TransitionRow& row : results.rows) {
        nlohmann::json r = {{"vocab_size", row.vocab_size},
                            {"tokens", row.tokens},
                            {"bigrams", row.bigrams},
                            {"dangling_rows", row.dangling_rows}};
        for (int q = 0; q < matrix_count; ++q) {
            r[pr_column(q, false)] = number(row.pr[q]);
            r[pr_column(q, true)] = number(row.pr_null[q]);
        }
        out["rows"].push_back(r);
    }
    for (int null = 0; null < 2; ++null) {
        for (int q = 0; q < matrix_count; ++q) {
            const LogLogSlope& s = null ? results.slopes_null[q] : results.slopes[q];
            out["slopes"][pr_column(q, null)] = {{"slope", number(s.slope)}, {"stderr", number(s.standard_error)}};
        }
    }
    return out;
}

}  // namespace ctscale::transition
