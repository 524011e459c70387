#pragma once
/// What a rank needs to fit rows of one width n: the K settings that apply (K ≤ n), their
/// bases, and every basis and its null-permuted twin stacked into one n×T matrix, so one
/// GEMM per row block serves every setting and the null baseline (SPEC §4.2: w[π]·U =
/// w·U_π with U_π's rows permuted by π⁻¹).
#include <boost/mpi/communicator.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "ctscale/fit/gaussian_basis.hpp"
#include "ctscale/fit/k_settings.hpp"

namespace ctscale::fit {

struct WidthPlan {
    struct Entry {
        std::size_t setting;           ///< index into the run's settings
        std::int64_t k;
        std::shared_ptr<const GaussianBasis> basis;
        std::int64_t column;           ///< first column of U_r in `stacked`; the null twin follows at column + rank
    };
    std::int64_t cols = 0;
    std::vector<Entry> entries;
    std::vector<double> stacked;       ///< n × total_columns, column-major
    std::int64_t total_columns = 0;
};

/// Builds plans on demand and shares bases between widths and settings with the same K.
class BasisCache {
public:
    BasisCache(std::vector<KSetting> settings, double width, std::uint64_t null_seed)
        : settings_(std::move(settings)), width_(width), null_seed_(null_seed) {}
    /// Collective: builds the bases of every (width, K) the run needs, spread over the
    /// ranks and broadcast (each is the same computation whichever rank does it).
    void build_all(const std::vector<std::int64_t>& widths, const boost::mpi::communicator& comm);
    const WidthPlan& plan(std::int64_t cols);
    const std::vector<KSetting>& settings() const noexcept { return settings_; }

private:
    std::vector<KSetting> settings_;
    double width_;
    std::uint64_t null_seed_;
    std::map<std::pair<std::int64_t, std::int64_t>, std::shared_ptr<const GaussianBasis>> bases_;
    std::map<std::int64_t, WidthPlan> plans_;
};

}  // namespace ctscale::fit
