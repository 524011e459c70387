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
    for (std::size_t index : order) {
        const io::TensorInfo& t = matrices[index];
        const bool large = ranks > 1 && (spectral_cost(t.rows, t.cols) > total / ranks ||
                                         local_bytes(t.rows, t.cols) > memory_per_rank);
        (large ? schedule.whole_grid : grouped).push_back(index);
    }
    for (std::size_t first = 0; first < grouped.size(); first += static_cast<std::size_t>(ranks)) {
        const std::size_t last = std::min(grouped.size(), first + static_cast<std::size_t>(ranks));
        schedule.rounds.emplace_back(grouped.begin() + static_cast<std::ptrdiff_t>(first),
                                     grouped.begin() + static_cast<std::ptrdiff_t>(last));
    }
    return schedule;
}

}  // namespace ctscale::spectral
