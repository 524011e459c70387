// DistributedMatrix: the docs/computation.md row partition as a BLACS layout, and PDGEMR2D round
// trips row blocks → 2-D block cyclic (whole grid, or one rank) → row blocks for odd
// shapes, including more ranks than rows; the same partition seen as Wᵀ on a 1×P grid; and
// the MPI fast paths between the stage's one-dimensional layouts.
#include <gtest/gtest.h>

#include <boost/mpi/collectives.hpp>
#include <boost/mpi/communicator.hpp>

#include "ctscale/blacs/distributed_matrix.hpp"
#include "ctscale/blacs/line_exchange.hpp"
#include "ctscale/io/partition.hpp"

using namespace ctscale;

namespace {

double entry(std::int64_t i, std::int64_t j) { return 1000.0 * i + j + 0.25; }

void fill(blacs::DistributedMatrix& a) {
    for (std::int64_t j = 0; j < a.local_cols(); ++j) {
        for (std::int64_t i = 0; i < a.local_rows(); ++i) a.local(i, j) = entry(a.global_row(i), a.global_col(j));
    }
}

/// Number of local entries that differ from entry(); with the total count of entries.
std::pair<std::int64_t, std::int64_t> mismatches(const blacs::DistributedMatrix& a) {
    std::int64_t bad = 0;
    for (std::int64_t j = 0; j < a.local_cols(); ++j) {
        for (std::int64_t i = 0; i < a.local_rows(); ++i)
            bad += a.local(i, j) != entry(a.global_row(i), a.global_col(j));
    }
    return {bad, a.local_rows() * a.local_cols()};
}

struct Shape {
    std::int64_t rows, cols, block;
};

const std::vector<Shape> shapes = {{1, 1, 1}, {1, 7, 2},  {7, 1, 3},  {2, 11, 1},
                                   {5, 3, 2}, {3, 5, 64}, {13, 9, 4}, {30, 17, 5}};

}  // namespace

TEST(DistributedMatrix, RowBlocksAreTheSpecPartition) {
    boost::mpi::communicator world;
    blacs::ProcessGrid column(world, {world.size(), 1});
    for (std::int64_t rows : {1, 2, 3, 5, 8, 13}) {
        const auto a = blacs::DistributedMatrix::row_blocks(column, rows, 4);
        const io::RowPartition p{rows, world.size(), world.rank()};
        EXPECT_EQ(a.local_rows(), p.count()) << rows;
        EXPECT_EQ(a.local_cols(), 4);
        EXPECT_GE(a.ld(), 1);
        if (a.local_rows() > 0) {
            EXPECT_EQ(a.global_row(0), p.first()) << rows;
        }
        const auto d = a.descriptor();
        EXPECT_EQ(d.values[4], p.block());  // MB
        EXPECT_GE(d.values[8], 1);          // LLD, also for ranks without rows
    }
}

TEST(DistributedMatrix, EveryEntryLivesOnExactlyOneProcess) {
    boost::mpi::communicator world;
    blacs::ProcessGrid whole(world, blacs::near_square_shape(world.size()));
    for (const Shape& s : shapes) {
        blacs::DistributedMatrix a(whole, s.rows, s.cols, s.block, s.block);
        double local = 0.0;
        for (std::int64_t j = 0; j < a.local_cols(); ++j) {
            for (std::int64_t i = 0; i < a.local_rows(); ++i) local += entry(a.global_row(i), a.global_col(j));
        }
        double total = 0.0, expected = 0.0;
        boost::mpi::all_reduce(world, local, total, std::plus<>());
        for (std::int64_t i = 0; i < s.rows; ++i) {
            for (std::int64_t j = 0; j < s.cols; ++j) expected += entry(i, j);
        }
        EXPECT_EQ(total, expected) << s.rows << "x" << s.cols;
    }
}

TEST(DistributedMatrix, RoundTripThroughTheWholeGridAndOneRank) {
    boost::mpi::communicator world;
    blacs::ProcessGrid column(world, {world.size(), 1});
    blacs::ProcessGrid line(world, {1, world.size()});
    blacs::ProcessGrid whole(world, blacs::near_square_shape(world.size()));
    blacs::ProcessGrid self(boost::mpi::communicator(MPI_COMM_SELF, boost::mpi::comm_attach), {1, 1});
    blacs::ProcessGrid none;
    const int last = world.size() - 1;
    for (const Shape& s : shapes) {
        auto rows = blacs::DistributedMatrix::row_blocks(column, s.rows, s.cols);
        fill(rows);
        blacs::DistributedMatrix cyclic(whole, s.rows, s.cols, s.block, s.block);
        blacs::redistribute(rows, cyclic, line);
        EXPECT_EQ(mismatches(cyclic).first, 0) << "to 2-D " << s.rows << "x" << s.cols;

        blacs::DistributedMatrix alone(world.rank() == last ? self : none, s.rows, s.cols, 64, 64);
        blacs::redistribute(cyclic, alone, line);
        const auto [bad, count] = mismatches(alone);
        EXPECT_EQ(bad, 0) << "to one rank " << s.rows << "x" << s.cols;
        EXPECT_EQ(count, world.rank() == last ? s.rows * s.cols : 0);

        auto back = blacs::DistributedMatrix::row_blocks(column, s.rows, s.cols);
        blacs::redistribute(alone, back, line);
        EXPECT_EQ(mismatches(back).first, 0) << "back " << s.rows << "x" << s.cols;
        EXPECT_EQ(back.local_rows(), rows.local_rows());
    }
}

TEST(DistributedMatrix, TransposedRowBlocksAreTheRowsAsReadAndRoundTrip) {
    boost::mpi::communicator world;
    blacs::ProcessGrid line(world, {1, world.size()});
    blacs::ProcessGrid whole(world, blacs::near_square_shape(world.size()));
    for (const Shape& s : shapes) {
        // Wᵀ (cols × rows); its local block must be this rank's rows of W, row-major.
        auto wt = blacs::DistributedMatrix::transposed_row_blocks(line, s.rows, s.cols);
        const io::RowPartition p{s.rows, world.size(), world.rank()};
        ASSERT_EQ(wt.local_cols(), p.count());
        ASSERT_EQ(wt.ld(), s.cols);
        for (std::int64_t r = 0; r < p.count(); ++r) {
            for (std::int64_t j = 0; j < s.cols; ++j) wt.data()[r * s.cols + j] = entry(j, p.first() + r);
        }
        EXPECT_EQ(mismatches(wt).first, 0) << s.rows << "x" << s.cols;  // entry(global row of Wᵀ, global col)
        blacs::DistributedMatrix cyclic(whole, s.cols, s.rows, s.block, s.block);
        blacs::redistribute(wt, cyclic, line);
        EXPECT_EQ(mismatches(cyclic).first, 0) << s.rows << "x" << s.cols;
        auto back = blacs::DistributedMatrix::transposed_row_blocks(line, s.rows, s.cols);
        blacs::redistribute(cyclic, back, line);
        EXPECT_EQ(mismatches(back).first, 0) << s.rows << "x" << s.cols;
    }
}

TEST(LineExchange, GatherColumnsAndColumnsToRowsKeepEveryEntry) {
    boost::mpi::communicator world;
    blacs::ProcessGrid line(world, {1, world.size()});
    blacs::ProcessGrid column(world, {world.size(), 1});
    const int root = world.size() - 1;
    for (const Shape& s : shapes) {
        // The stage's layouts: Wᵀ as read (one column block per rank), and row blocks.
        auto wt = blacs::DistributedMatrix::transposed_row_blocks(line, s.cols, s.rows);  // s.rows × s.cols
        fill(wt);
        const auto whole = blacs::gather_columns(wt, root);
        if (world.rank() == root) {
            ASSERT_EQ(whole.size(), static_cast<std::size_t>(s.rows * s.cols));
            std::int64_t bad = 0;
            for (std::int64_t j = 0; j < s.cols; ++j) {
                for (std::int64_t i = 0; i < s.rows; ++i) bad += whole[i + j * s.rows] != entry(i, j);
            }
            EXPECT_EQ(bad, 0) << s.rows << "x" << s.cols;
        } else {
            EXPECT_TRUE(whole.empty());
        }
        auto rows = blacs::DistributedMatrix::row_blocks(column, s.rows, s.cols);
        blacs::columns_to_rows(wt, rows);
        EXPECT_EQ(mismatches(rows).first, 0) << s.rows << "x" << s.cols;
        // A cyclic layout with several blocks per rank gathers too.
        blacs::DistributedMatrix cyclic(line, s.rows, s.cols, s.rows, 1);
        fill(cyclic);
        const auto again = blacs::gather_columns(cyclic, 0);
        if (world.rank() == 0) {
            ASSERT_EQ(again.size(), static_cast<std::size_t>(s.rows * s.cols));
            for (std::int64_t j = 0; j < s.cols; ++j) {
                for (std::int64_t i = 0; i < s.rows; ++i) EXPECT_EQ(again[i + j * s.rows], entry(i, j));
            }
        }
    }
}
