// The whole stage on a checkpoint written here: odd shapes (1×n, n×1, m < n, m > n, rank
// deficient) in every stored dtype, read and analysed by all ranks together or by one
// rank, against LAPACK on the stored values and Eigen's SVD.
#include <gtest/gtest.h>
#include <unistd.h>

#include <Eigen/Dense>
#include <boost/mpi/collectives.hpp>
#include <boost/mpi/communicator.hpp>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

#include "ctscale/hdf5/file.hpp"
#include "ctscale/io/partition.hpp"
#include "ctscale/io/row_io.hpp"
#include "ctscale/spectral/matrix_spectrum.hpp"
#include "ctscale/spectral/schedule.hpp"
#include "ctscale/spectral/spectral_stage.hpp"
#include "ctscale/util/random.hpp"

using namespace ctscale;
using spectral::SpectralMode;
using spectral::SpectralResult;

namespace {

struct Weight {
    io::TensorInfo info;
    Eigen::MatrixXd values;  ///< as stored (rounded to the dtype)
};

Weight make_weight(const std::string& name, Eigen::MatrixXd w, io::StoredType dtype) {
    Weight out{{}, std::move(w)};
    out.info.name = name;
    out.info.rows = out.values.rows();
    out.info.cols = out.values.cols();
    out.info.dtype = dtype;
    std::vector<unsigned char> raw(io::bytes_of(dtype));
    for (Eigen::Index i = 0; i < out.values.size(); ++i) {  // round to what is stored
        io::from_double(dtype, out.values.data() + i, raw.data(), 1);
        io::to_double(dtype, raw.data(), out.values.data() + i, 1);
    }
    return out;
}

Eigen::MatrixXd random_matrix(std::int64_t m, std::int64_t n, std::uint64_t seed) {
    util::SplitMix64 random{seed};
    Eigen::MatrixXd w(m, n);
    for (Eigen::Index i = 0; i < w.size(); ++i) w.data()[i] = static_cast<double>(random.next() >> 11) * 0x1p-53 - 0.5;
    return w;
}

std::vector<Weight> odd_weights() {
    using io::StoredType;
    return {make_weight("blocks.0.big", random_matrix(300, 260, 1), StoredType::f32),
            make_weight("blocks.0.wide", random_matrix(6, 40, 2), StoredType::f16),
            make_weight("blocks.0.tall", random_matrix(40, 6, 3), StoredType::bf16),
            make_weight("one_row", random_matrix(1, 9, 4), StoredType::f64),
            make_weight("one_col", random_matrix(11, 1, 5), StoredType::f32),
            make_weight("deficient", random_matrix(12, 3, 6) * random_matrix(3, 20, 7), StoredType::f64),
            make_weight("square", random_matrix(17, 17, 8), StoredType::f32)};
}

/// Writes the weights as a checkpoint, each rank its own rows (docs/computation.md partition).
std::string write_checkpoint(const boost::mpi::communicator& world, const std::vector<Weight>& weights) {
    long id = world.rank() == 0 ? static_cast<long>(getpid()) : 0;
    boost::mpi::broadcast(world, id, 0);
    const std::string path =
        "/tmp/ctscale-test-spectral-np" + std::to_string(world.size()) + "-" + std::to_string(id) + ".h5";
    hdf5::File file = hdf5::File::create_parallel(path, world);
    io::ModelInfo model;
    model.model_name = "spectral-test";
    model.architecture = "test";
    io::write_checkpoint_header(file, model);
    for (const Weight& w : weights) {
        hdf5::Handle dataset = io::create_weight_dataset(file, w.info);
        const io::RowPartition p{w.info.rows, world.size(), world.rank()};
        std::vector<double> rows(static_cast<std::size_t>(p.count() * w.info.cols));
        for (std::int64_t r = 0; r < p.count(); ++r) {
            for (std::int64_t j = 0; j < w.info.cols; ++j) rows[r * w.info.cols + j] = w.values(p.first() + r, j);
        }
        std::vector<unsigned char> raw(rows.size() * io::bytes_of(w.info.dtype) + 1);
        io::from_double(w.info.dtype, rows.data(), raw.data(), rows.size());
        io::write_rows(dataset, io::hdf5_type(w.info.dtype), p.first(), p.count(), w.info.cols, raw.data());
    }
    file.close();
    return path;
}

std::vector<double> as_numbers(const SpectralResult& r) {
    std::vector<double> v;
    for (const auto& field : spectral::spectral_fields) v.push_back(r.*field.member);
    v.insert(v.end(), r.singular_values.begin(), r.singular_values.end());
    return v;
}

class SpectralStage : public testing::Test {
protected:
    void SetUp() override {
        weights = odd_weights();
        path = write_checkpoint(world, weights);
        checkpoint.emplace(io::Checkpoint::open(path, world));
        for (const Weight& w : weights) matrices.push_back(w.info);
    }
    void TearDown() override {
        checkpoint.reset();
        world.barrier();
        if (world.rank() == 0) std::remove(path.c_str());
    }
    std::vector<SpectralResult> run(SpectralMode mode, std::int64_t memory = std::int64_t{1} << 30) {
        return spectral::run_spectral_stage(*checkpoint, matrices, mode, memory, world);
    }
    boost::mpi::communicator world;
    std::vector<Weight> weights;
    std::string path;
    std::optional<io::Checkpoint> checkpoint;
    std::vector<io::TensorInfo> matrices;
};

}  // namespace

TEST_F(SpectralStage, AgreesWithLapackAndEigenOnEveryShapeAndDtype) {
    for (SpectralMode mode : {SpectralMode::pr, SpectralMode::full}) {
        for (std::int64_t memory :
             {std::int64_t{1} << 30, std::int64_t{4096}}) {  // the second: tiny sub-blocks, all on the grid
            const auto results = run(mode, memory);
            if (world.rank() != 0) {
                EXPECT_TRUE(results.empty());
                continue;
            }
            ASSERT_EQ(results.size(), weights.size());
            const auto schedule = spectral::plan_spectral(matrices, world.size(), memory);
            if (world.size() > 1) {
                EXPECT_EQ(schedule.whole_grid.front(), 0u);  // the dominant matrix
                if (memory < 1e6) {
                    EXPECT_GE(schedule.whole_grid.size(), 3u);
                }
            }
            for (std::size_t i = 0; i < weights.size(); ++i) {
                const Eigen::MatrixXd& w = weights[i].values;
                const std::string& name = weights[i].info.name;
                const SpectralResult& got = results[i];
                const SpectralResult ref = spectral::analyze_local(w.data(), w.rows(), w.cols(), w.rows(), mode);
                const Eigen::VectorXd sigma = Eigen::JacobiSVD<Eigen::MatrixXd>(w).singularValues();
                EXPECT_NEAR(got.spectral_norm, sigma(0), 1e-10 * sigma(0)) << name;
                EXPECT_NEAR(got.pr_sv, ref.pr_sv, 1e-10 * ref.pr_sv) << name;
                EXPECT_NEAR(got.stable_rank, ref.stable_rank, 1e-10 * ref.stable_rank) << name;
                const bool on_grid = std::count(schedule.whole_grid.begin(), schedule.whole_grid.end(), i) > 0;
                const std::string line = "1x" + std::to_string(world.size());
                if (got.method != "gemm-reduce+pdsyevr") {
                    EXPECT_EQ(got.grid, on_grid ? line : "1x1") << name;
                }
                // On the grid: G summed from W held split, or as W is read (tall, narrow W).
                const auto starts = [&](const char* prefix) { return got.method.rfind(prefix, 0) == 0; };
                const bool grid_method = starts("gemm-reduce+") || starts("syrk-stream+");
                EXPECT_TRUE(on_grid ? grid_method : starts("dsyrk+")) << name << " " << got.method;
                if (mode == SpectralMode::pr) {
                    EXPECT_TRUE(got.singular_values.empty());
                    EXPECT_TRUE(std::isnan(got.alpha));
                    continue;
                }
                ASSERT_EQ(got.singular_values.size(), static_cast<std::size_t>(sigma.size())) << name;
                for (Eigen::Index k = 0; k < sigma.size(); ++k) {
                    EXPECT_NEAR(got.singular_values[k], sigma(k), 1e-6 * sigma(0)) << name << " σ" << k;
                }
                EXPECT_NEAR(got.nuclear_norm, ref.nuclear_norm, 1e-9 * ref.nuclear_norm) << name;
                EXPECT_NEAR(got.effective_rank, ref.effective_rank, 1e-9 * ref.effective_rank) << name;
                EXPECT_NEAR(got.mp_edge, ref.mp_edge, 1e-12 * ref.mp_edge) << name;
                EXPECT_EQ(got.n_spikes, ref.n_spikes) << name;
                EXPECT_EQ(std::isnan(got.alpha), std::isnan(ref.alpha)) << name;
                if (!std::isnan(ref.alpha)) {
                    EXPECT_NEAR(got.alpha, ref.alpha, 1e-8 * ref.alpha) << name;
                }
            }
            // Rank 3 of 12 × 20: nine exact zeros, so too few positive values for alpha.
            EXPECT_EQ(std::count(results[5].singular_values.begin(), results[5].singular_values.end(), 0.0),
                      mode == SpectralMode::full ? 9 : 0);
        }
    }
}

TEST_F(SpectralStage, TwoRunsAreBitwiseIdentical) {
    const auto a = run(SpectralMode::full), b = run(SpectralMode::full);
    const auto c = run(SpectralMode::pr), d = run(SpectralMode::pr);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        for (const auto& [x, y] : {std::pair{&a[i], &b[i]}, std::pair{&c[i], &d[i]}}) {
            const auto u = as_numbers(*x), v = as_numbers(*y);
            ASSERT_EQ(u.size(), v.size());
            EXPECT_EQ(std::memcmp(u.data(), v.data(), u.size() * sizeof(double)), 0) << matrices[i].name;
        }
    }
}

TEST_F(SpectralStage, ReportsWorkDoneAsItGoes) {
    std::vector<std::size_t> done;
    std::vector<double> work;
    double total = -1;
    spectral::run_spectral_stage(*checkpoint, matrices, SpectralMode::pr, std::int64_t{1} << 30, world,
                                 [&](std::size_t d, double w, double t) {
                                     done.push_back(d);
                                     work.push_back(w);
                                     total = t;
                                 });
    if (world.rank() != 0) {
        EXPECT_TRUE(done.empty());  // only rank 0 reports
        return;
    }
    double expected_total = 0;
    for (const auto& m : matrices) expected_total += spectral::spectral_cost(m.rows, m.cols);
    ASSERT_FALSE(done.empty());
    EXPECT_EQ(done.back(), matrices.size());
    EXPECT_DOUBLE_EQ(total, expected_total);
    EXPECT_NEAR(work.back(), total, 1e-12 * total);
    for (std::size_t i = 1; i < done.size(); ++i) {
        EXPECT_GT(done[i], done[i - 1]);
        EXPECT_GT(work[i], work[i - 1]);
    }
    EXPECT_GT(work.front(), 0.0);
}

TEST_F(SpectralStage, ModeNoneComputesNothing) {
    const auto results = run(SpectralMode::none);
    if (world.rank() != 0) return;
    ASSERT_EQ(results.size(), weights.size());
    for (const auto& r : results) {
        EXPECT_EQ(r.method, "none");
        EXPECT_TRUE(std::isnan(r.pr_sv));
    }
}

TEST(SpectralStageInput, NonFiniteMatricesAreSkippedOnEveryRankCount) {
    boost::mpi::communicator world;
    Eigen::MatrixXd bad = random_matrix(9, 5, 9);
    bad(7, 2) = std::numeric_limits<double>::quiet_NaN();
    const std::vector<Weight> weights = {make_weight("bad", bad, io::StoredType::f32),
                                         make_weight("good", random_matrix(9, 5, 10), io::StoredType::f32)};
    const std::string path = write_checkpoint(world, weights);
    // Matrices this small stay whole on one rank (min_split_share) unless they exceed the
    // memory budget: the second budget sends both to all ranks together.
    for (const std::int64_t memory : {std::int64_t{1} << 30, spectral::local_bytes(9, 5) - 1}) {
        const bool split = world.size() > 1 && memory < spectral::local_bytes(9, 5);
        const io::Checkpoint checkpoint = io::Checkpoint::open(path, world);
        const auto results = spectral::run_spectral_stage(checkpoint, {weights[0].info, weights[1].info},
                                                          SpectralMode::full, memory, world);
        if (world.rank() == 0) {
            ASSERT_EQ(results.size(), 2u);
            EXPECT_EQ(results[0].method, "skipped: non-finite values");
            EXPECT_TRUE(std::isnan(results[0].spectral_norm));
            EXPECT_EQ(results[1].method, split ? "syrk-stream+dsyevr" : "dsyrk+dsyevr") << memory;
            EXPECT_GT(results[1].spectral_norm, 0.0);
        }
    }
    world.barrier();
    if (world.rank() == 0) std::remove(path.c_str());
}
