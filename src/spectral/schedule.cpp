#include "ctscale/spectral/schedule.hpp"

#include <algorithm>
#include <numeric>

namespace ctscale::spectral {

double spectral_cost(std::int64_t rows, std::int64_t cols) noexcept {
    const double m = static_cast<double>(rows), n = static_cast<double>(cols), k = std::min(m, n);
    return m * n * k + 4.0 * k * k * k;
}

std::int64_t local_bytes(std::int64_t rows, std::int64_t cols) noexcept {
    const std::int64_t k = std::min(rows, cols);
    return 8 * (rows * cols + 2 * k * k);
}

SpectralSchedule plan_spectral(const std::vector<io::TensorInfo>& matrices, int ranks, std::int64_t memory_per_rank) {
    std::vector<std::size_t> order(matrices.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        const std::int64_t sa = matrices[a].n_params(), sb = matrices[b].n_params();
        return sa != sb ? sa > sb : matrices[a].name < matrices[b].name;
    });
    double total = 0.0;
    for (const auto& t : matrices) total += spectral_cost(t.rows, t.cols);

    SpectralSchedule schedule;
    std::vector<std::size_t> grouped;
    for (std::size_t position = 0; position < order.size(); ++position) {
        const io::TensorInfo& t = matrices[order[position]];
        const double cost = spectral_cost(t.rows, t.cols);
        // The matrices a round it leads would pair it with: the next ranks − 1 in the order.
        double partners = 0.0;
        for (std::size_t next = position + 1; next < std::min(order.size(), position + ranks); ++next) {
            const io::TensorInfo& p = matrices[order[next]];
            partners = std::max(partners, spectral_cost(p.rows, p.cols));
        }
        const bool dominant = cost > total / ranks;
        const bool leads_a_round = grouped.size() % static_cast<std::size_t>(ranks) == 0;
        const bool lopsided = leads_a_round && cost >= total / (4.0 * ranks) && cost > 2.0 * partners;
        const bool worth_splitting = cost / ranks >= min_split_share;
        const bool large =
            ranks > 1 && ((worth_splitting && (dominant || lopsided)) || local_bytes(t.rows, t.cols) > memory_per_rank);
        (large ? schedule.whole_grid : grouped).push_back(order[position]);
    }
    for (std::size_t first = 0; first < grouped.size(); first += static_cast<std::size_t>(ranks)) {
        const std::size_t last = std::min(grouped.size(), first + static_cast<std::size_t>(ranks));
        schedule.rounds.emplace_back(grouped.begin() + static_cast<std::ptrdiff_t>(first),
                                     grouped.begin() + static_cast<std::ptrdiff_t>(last));
    }
    return schedule;
}

}  // namespace ctscale::spectral
