#pragma once
/// What a rank needs to fit rows of one width n: the K settings that apply (K ≤ n), their
/// bases, and how each setting's projections b = U_rᵀw are computed:
///  - dense route: every such basis and its null-permuted twin stacked into one n×T
///    matrix, so one GEMM per row block serves them all and the null baseline (docs/definitions.md §2:
///    w[π]·U = w·U_π with U_π's rows permuted by π⁻¹);
///  - banded route, for wide K: b = M_rᵀ·(Φᵀw) with M_r = V_rΣ_r⁻¹ (U_r = Φ·V_r·Σ_r⁻¹), where
///    Φᵀw skips Φ's negligible entries (BandedDesign) and the null rows are permuted
///    explicitly. Its rounding error is about cond(Φ)·ε·‖w‖ instead of ε·‖w‖, so it is
///    taken only for cond(Φ) ≤ 1e3 (≈ 98 at the default width; > 1e3 from s ≈ 1.3) and
///    only where it saves at least a quarter of the flops.
/// Projections of all settings land in one row-major block of `total_columns` columns:
/// the dense entries first (in `stacked` order), then the banded ones.
#include <boost/mpi/communicator.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "ctscale/fit/banded_design.hpp"
#include "ctscale/fit/gaussian_basis.hpp"
#include "ctscale/fit/k_settings.hpp"

namespace ctscale::fit {

struct WidthPlan {
    struct Entry {
        std::size_t setting;  ///< index into the run's settings
        std::int64_t k;
        std::shared_ptr<const GaussianBasis> basis;
        std::int64_t column;  ///< first projection column; the null twin's follow at column + rank
        std::shared_ptr<const BandedDesign> banded;  ///< set for the banded route
    };
    std::int64_t cols = 0;
    std::vector<Entry> entries;
    std::vector<double> stacked;  ///< n × dense_columns, column-major: the dense entries' U_r and twins
    std::int64_t dense_columns = 0;
    std::int64_t total_columns = 0;         ///< projection columns of all entries
    std::int64_t widest_banded_k = 0;       ///< 0 when no entry takes the banded route
    std::vector<std::int64_t> permutation;  ///< π of the null baseline
};

/// Builds plans on demand and shares bases between widths and settings with the same K.
class BasisCache {
public:
    /// `banded_route` = false keeps every setting on the dense route (for tests).
    BasisCache(std::vector<KSetting> settings, double width, std::uint64_t null_seed, bool banded_route = true)
        : settings_(std::move(settings)), width_(width), null_seed_(null_seed), banded_route_(banded_route) {}
    /// Collective: builds the bases of every (width, K) the run needs, spread over the
    /// ranks and broadcast (each is the same computation whichever rank does it).
    void build_all(const std::vector<std::int64_t>& widths, const boost::mpi::communicator& comm);
    const WidthPlan& plan(std::int64_t cols);
    const std::vector<KSetting>& settings() const noexcept { return settings_; }

private:
    std::vector<KSetting> settings_;
    double width_;
    std::uint64_t null_seed_;
    bool banded_route_;
    std::map<std::pair<std::int64_t, std::int64_t>, std::shared_ptr<const GaussianBasis>> bases_;
    std::map<std::int64_t, WidthPlan> plans_;
};

}  // namespace ctscale::fit
