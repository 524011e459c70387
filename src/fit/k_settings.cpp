#include "ctscale/fit/k_settings.hpp"

#include <algorithm>
#include <regex>

#include "ctscale/error.hpp"

namespace ctscale::fit {

std::optional<KRule> parse_k_rule(const std::string& text) {
    std::string compact;
    std::copy_if(text.begin(), text.end(), std::back_inserter(compact), [](char c) { return c != ' '; });
    if (compact == "none") return std::nullopt;
    static const std::regex pattern(R"(max\((\d{1,9}),cols/(\d{1,9})\))");
    std::smatch match;
    if (!std::regex_match(compact, match, pattern)) {
        throw UsageError("--k-rule: '" + text + "' is not of the form max(A,cols/B) or none");
    }
    KRule rule{std::stoll(match[1]), std::stoll(match[2])};
    if (rule.minimum < 1 || rule.divisor < 1) throw UsageError("--k-rule: A and B must be >= 1 in '" + text + "'");
    return rule;
}

std::vector<KSetting> make_settings(const std::vector<std::int64_t>& k_values, const std::optional<KRule>& rule) {
    std::vector<KSetting> settings;
    for (std::int64_t k : k_values) {
        if (std::none_of(settings.begin(), settings.end(), [&](const KSetting& s) { return s.fixed == k; })) {
            settings.push_back(KSetting::from_value(k));
        }
    }
    if (rule) settings.push_back(KSetting::from_rule(*rule));
    return settings;
}

}  // namespace ctscale::fit
