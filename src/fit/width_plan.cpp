#include "ctscale/fit/width_plan.hpp"

#include <algorithm>
#include <boost/mpi/collectives.hpp>
#include <numeric>
#include <set>

namespace ctscale::fit {

void BasisCache::build_all(const std::vector<std::int64_t>& widths, const boost::mpi::communicator& comm) {
    std::set<std::pair<std::int64_t, std::int64_t>> unique;
    for (std::int64_t cols : widths) {
        for (const auto& setting : settings_) {
            const std::int64_t k = setting.k_for(cols);
            if (k <= cols && !bases_.count({cols, k})) unique.insert({cols, k});
        }
    }
    const std::vector<std::pair<std::int64_t, std::int64_t>> needed(unique.begin(), unique.end());
    // Largest first onto the least-loaded rank; the cost of a basis is about n·K² (its QR
    // and the application of Q). Every rank builds its own share before any broadcast, so
    // the ranks work at once and the stage costs the largest share, not the sum.
    std::vector<std::size_t> order(needed.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    const auto cost = [&](std::size_t i) {
        const auto [cols, k] = needed[i];
        return double(cols) * double(k) * double(k);
    };
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return cost(a) > cost(b); });
    std::vector<int> owner(needed.size());
    std::vector<double> load(static_cast<std::size_t>(comm.size()), 0.0);
    for (std::size_t i : order) {
        const auto least = std::min_element(load.begin(), load.end());
        owner[i] = static_cast<int>(least - load.begin());
        *least += cost(i);
    }
    std::vector<GaussianBasis> built(needed.size());
    for (std::size_t i = 0; i < needed.size(); ++i) {
        if (owner[i] == comm.rank()) built[i] = GaussianBasis::build(needed[i].first, needed[i].second, width_);
    }
    for (std::size_t i = 0; i < needed.size(); ++i) {
        GaussianBasis& basis = built[i];
        std::vector<double> header{double(basis.rank), basis.condition};
        boost::mpi::broadcast(comm, header.data(), 2, owner[i]);
        basis.cols = needed[i].first;
        basis.k = needed[i].second;
        basis.rank = static_cast<std::int64_t>(header[0]);
        basis.condition = header[1];
        basis.orthonormal.resize(static_cast<std::size_t>(basis.cols * basis.rank));
        basis.coefficients.resize(static_cast<std::size_t>(basis.k * basis.rank));
        boost::mpi::broadcast(comm, basis.orthonormal.data(), static_cast<int>(basis.orthonormal.size()), owner[i]);
        boost::mpi::broadcast(comm, basis.coefficients.data(), static_cast<int>(basis.coefficients.size()), owner[i]);
        bases_[needed[i]] = std::make_shared<const GaussianBasis>(std::move(basis));
    }
}

namespace {

constexpr double banded_condition_limit = 1e3;

/// The banded design for `basis` when that route is accurate and saves flops, else null.
std::shared_ptr<const BandedDesign> banded_route(const GaussianBasis& basis, double width) {
    if (!(basis.condition <= banded_condition_limit)) return nullptr;
    auto design = std::make_shared<const BandedDesign>(basis.cols, basis.k, width);
    const std::int64_t banded = design->stored_entries() + basis.k * basis.rank;
    const std::int64_t dense = basis.cols * basis.rank;
    return 4 * banded <= 3 * dense ? design : nullptr;
}

}  // namespace

const WidthPlan& BasisCache::plan(std::int64_t cols) {
    if (auto found = plans_.find(cols); found != plans_.end()) return found->second;
    WidthPlan plan;
    plan.cols = cols;
    for (std::size_t s = 0; s < settings_.size(); ++s) {
        const std::int64_t k = settings_[s].k_for(cols);
        if (k > cols) continue;
        auto& basis = bases_[{cols, k}];
        if (!basis) basis = std::make_shared<const GaussianBasis>(GaussianBasis::build(cols, k, width_));
        plan.entries.push_back({s, k, basis, 0, banded_route_ ? banded_route(*basis, width_) : nullptr});
    }
    // Dense entries take the first projection columns, in the order of `stacked`.
    for (auto& entry : plan.entries) {
        if (entry.banded) continue;
        entry.column = plan.dense_columns;
        plan.dense_columns += 2 * entry.basis->rank;
    }
    plan.total_columns = plan.dense_columns;
    for (auto& entry : plan.entries) {
        if (!entry.banded) continue;
        entry.column = plan.total_columns;
        plan.total_columns += 2 * entry.basis->rank;
        plan.widest_banded_k = std::max(plan.widest_banded_k, entry.k);
    }
    plan.permutation = null_permutation(cols, null_seed_);
    const std::vector<std::int64_t>& pi = plan.permutation;
    plan.stacked.resize(static_cast<std::size_t>(cols * plan.dense_columns));
    for (const auto& entry : plan.entries) {
        if (entry.banded) continue;
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
