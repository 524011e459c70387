#include "ctscale/fit/width_plan.hpp"

#include <algorithm>

namespace ctscale::fit {

const WidthPlan& BasisCache::plan(std::int64_t cols) {
    if (auto found = plans_.find(cols); found != plans_.end()) return found->second;
    WidthPlan plan;
    plan.cols = cols;
    for (std::size_t s = 0; s < settings_.size(); ++s) {
        const std::int64_t k = settings_[s].k_for(cols);
        if (k > cols) continue;
        auto& basis = bases_[{cols, k}];
        if (!basis) basis = std::make_shared<const GaussianBasis>(GaussianBasis::build(cols, k, width_));
        plan.entries.push_back({s, k, basis, plan.total_columns});
        plan.total_columns += 2 * basis->rank;
    }
    const std::vector<std::int64_t> pi = null_permutation(cols, null_seed_);
    plan.stacked.resize(static_cast<std::size_t>(cols * plan.total_columns));
    for (const auto& entry : plan.entries) {
        const auto& u = entry.basis->orthonormal;
        const std::int64_t r = entry.basis->rank;
        std::copy(u.begin(), u.end(), plan.stacked.begin() + entry.column * cols);
        double* twin = plan.stacked.data() + (entry.column + r) * cols;
        for (std::int64_t c = 0; c < r; ++c) {
            for (std::int64_t j = 0; j < cols; ++j) twin[c * cols + pi[j]] = u[c * cols + j];
        }
    }
    return plans_.emplace(cols, std::move(plan)).first->second;
}

}  // namespace ctscale::fit
