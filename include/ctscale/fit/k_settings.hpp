#pragma once
/// The K settings of a run: each value of the --k list, and the rule max(A, cols/B)
/// labelled "rule" (docs/definitions.md §1).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ctscale::fit {

struct KRule {
    std::int64_t minimum = 8;   ///< A
    std::int64_t divisor = 16;  ///< B
    std::string text() const { return "max(" + std::to_string(minimum) + ",cols/" + std::to_string(divisor) + ")"; }
};

/// Parses "max(A,cols/B)" (spaces allowed) or "none" (→ nullopt). Throws UsageError.
std::optional<KRule> parse_k_rule(const std::string& text);

struct KSetting {
    std::string label;          ///< "8" or "rule"
    std::int64_t fixed = 0;     ///< K of a list entry
    std::optional<KRule> rule;  ///< set for the rule

    static KSetting from_value(std::int64_t k) { return {std::to_string(k), k, std::nullopt}; }
    static KSetting from_rule(KRule r) { return {"rule", 0, r}; }
    /// The K this setting gives a matrix with rows of width `cols` (integer division).
    std::int64_t k_for(std::int64_t cols) const { return rule ? std::max(rule->minimum, cols / rule->divisor) : fixed; }
};

/// The --k list followed by the rule, if any.
std::vector<KSetting> make_settings(const std::vector<std::int64_t>& k_values, const std::optional<KRule>& rule);

}  // namespace ctscale::fit
