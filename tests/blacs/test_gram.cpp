// The Gram product over all ranks (blacs/gram.hpp) against Eigen on the whole matrix:
// G for tall (row blocks) and wide (column blocks) W, ‖G‖_F², G·V from the stored lower
// trapezoid, G gathered onto one rank and G summed onto one rank — for odd shapes, also with more ranks than
// rows or columns.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <boost/mpi/communicator.hpp>

#include "ctscale/blacs/gram.hpp"
#include "ctscale/blacs/line_exchange.hpp"

using namespace ctscale;

namespace {

double value(std::int64_t i, std::int64_t j) { return std::sin(1.0 + 0.37 * i + 1.91 * j) + 0.01 * (i % 5); }

}  // namespace

TEST(Gram, AllRanksTogetherMatchTheWholeMatrix) {
    boost::mpi::communicator world;
    blacs::ProcessGrid column(world, {world.size(), 1});
    blacs::ProcessGrid line(world, {1, world.size()});
    const std::int64_t p = world.size();
    for (auto [m, n] :
         {std::pair{1, 1}, std::pair{3, 2}, std::pair{2, 3}, std::pair{9, 9}, std::pair{40, 7}, std::pair{7, 40},
          std::pair{130, 70}, std::pair{70, 131}, std::pair{600, 300}}) {  // more than one 256-column panel
        Eigen::MatrixXd w(m, n);
        for (std::int64_t i = 0; i < m; ++i) {
            for (std::int64_t j = 0; j < n; ++j) w(i, j) = value(i, j);
        }
        const Eigen::MatrixXd expected =
            m >= n ? Eigen::MatrixXd(w.transpose() * w) : Eigen::MatrixXd(w * w.transpose());
        const std::int64_t k = std::min(m, n);
        const double tolerance = 1e-12 * expected.norm();  // once: the loops below are O(k²)
        // Split along the longer side: row blocks of a tall W, column blocks of a wide one.
        blacs::DistributedMatrix split = m >= n ? blacs::DistributedMatrix::row_blocks(column, m, n)
                                                : blacs::DistributedMatrix(line, m, n, m, (n + p - 1) / p);
        for (std::int64_t j = 0; j < split.local_cols(); ++j) {
            for (std::int64_t i = 0; i < split.local_rows(); ++i)
                split.local(i, j) = w(split.global_row(i), split.global_col(j));
        }
        blacs::DistributedMatrix g = blacs::gram_layout(line, k);
        blacs::gram_lower(split, g);
        const std::string label = std::to_string(m) + "x" + std::to_string(n);
        for (std::int64_t j = 0; j < g.local_cols(); ++j) {
            const std::int64_t column_index = g.global_col(j), first = column_index / g.col_block() * g.col_block();
            for (std::int64_t i = first; i < k; ++i) {
                ASSERT_NEAR(g.local(i, j), expected(i, column_index), tolerance) << label;
            }
        }
        EXPECT_NEAR(blacs::gram_sum_of_squares(g), expected.squaredNorm(), 1e-12 * expected.squaredNorm()) << label;

        Eigen::MatrixXd v(k, 3);
        for (std::int64_t i = 0; i < v.size(); ++i) v.data()[i] = std::cos(0.3 * i);
        Eigen::MatrixXd y(k, 3);
        blacs::gram_multiply(g, v.data(), 3, y.data());
        EXPECT_LE((y - expected * v).norm(), 1e-12 * expected.norm() * v.norm()) << label;

        // G gathered from that layout, and G summed straight onto one rank: both on the last.
        const int root = static_cast<int>(world.size() - 1);
        const auto gathered = blacs::gather_columns(g, root);
        const auto summed = blacs::gram_lower_on(split, line, root);
        if (world.rank() != root) {
            EXPECT_TRUE(gathered.empty());
            EXPECT_TRUE(summed.empty());
            continue;
        }
        ASSERT_EQ(gathered.size(), static_cast<std::size_t>(k * k)) << label;
        ASSERT_EQ(summed.size(), static_cast<std::size_t>(k * k)) << label;
        for (std::int64_t j = 0; j < k; ++j) {
            for (std::int64_t i = j; i < k; ++i) {
                EXPECT_NEAR(gathered[i + j * k], expected(i, j), tolerance) << label;
                EXPECT_NEAR(summed[i + j * k], expected(i, j), tolerance) << label;
            }
        }
    }
}
