// Round trip of every stored dtype through the parallel writer and the row-block reader,
// on whatever rank count the test runs with (ranks may outnumber a matrix's rows).
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/mpi/collectives.hpp>
#include <boost/mpi/communicator.hpp>
#include <cstdio>
#include <fstream>

#include "ctscale/error.hpp"
#include "ctscale/io/checkpoint.hpp"
#include "ctscale/io/partition.hpp"
#include "ctscale/synth/checkpoint_writer.hpp"
#include "ctscale/synth/weights.hpp"

using namespace ctscale;

namespace {

/// A file name unique to this test run and rank count (ctest -j runs them side by side).
std::string scratch_path(const boost::mpi::communicator& world, const std::string& stem) {
    long id = world.rank() == 0 ? static_cast<long>(getpid()) : 0;
    boost::mpi::broadcast(world, id, 0);
    return "/tmp/ctscale-test-" + stem + "-np" + std::to_string(world.size()) + "-" + std::to_string(id) + ".h5";
}

class CheckpointRoundTrip : public testing::TestWithParam<io::StoredType> {};

}  // namespace

TEST_P(CheckpointRoundTrip, EveryRankReadsItsRowsInSubBlocksAsWritten) {
    boost::mpi::communicator world;
    const io::StoredType dtype = GetParam();
    const std::string path = scratch_path(world, "roundtrip-" + io::name_of(dtype));
    // vocab 3 < 4 ranks: some ranks own no rows of the embedding.
    const synth::Architecture arch = synth::custom(24, 1, 40, 3);
    synth::SynthSettings settings;
    settings.dtype = dtype;
    settings.seed = 7;
    settings.memory_per_rank = 5 * 24 * 10;  // a few rows per write step
    synth::write_checkpoint(path, arch, settings, world);

    io::Checkpoint checkpoint = io::Checkpoint::open(path, world);
    EXPECT_EQ(checkpoint.model().d_model, 24);
    ASSERT_EQ(checkpoint.tensors().size(), arch.tensors.size());
    std::int64_t expected_total = 0;
    for (const auto& t : arch.tensors) expected_total += t.n_params();
    EXPECT_EQ(checkpoint.total_params(), expected_total);

    for (const io::TensorInfo& tensor : checkpoint.tensors()) {
        EXPECT_EQ(tensor.dtype, dtype) << tensor.name;
        if (tensor.rank != 2) continue;
        const io::RowPartition partition{tensor.rows, world.size(), world.rank()};
        const io::SubBlocks blocks = io::SubBlocks::plan(partition, 2 * tensor.cols * 10, tensor.cols * 10);
        synth::WeightGenerator generator(settings.seed, tensor, arch.model.n_layers);
        std::vector<double> expected(tensor.cols), stored(tensor.cols), got;
        std::vector<unsigned char> raw, one(tensor.cols * io::bytes_of(dtype));
        for (std::int64_t step = 0; step < blocks.steps; ++step) {
            const std::int64_t count = blocks.count(step, partition.count());
            const std::int64_t first = partition.first() + blocks.offset(step);
            raw.resize(count * tensor.cols * io::bytes_of(dtype));
            got.resize(count * tensor.cols);
            checkpoint.read_raw_rows(tensor, first, count, raw.data());
            io::to_double(dtype, raw.data(), got.data(), got.size());
            for (std::int64_t r = 0; r < count; ++r) {
                generator.row(first + r, expected.data());
                io::from_double(dtype, expected.data(), one.data(), expected.size());
                io::to_double(dtype, one.data(), stored.data(), stored.size());
                for (std::int64_t j = 0; j < tensor.cols; ++j) {
                    ASSERT_EQ(got[r * tensor.cols + j], stored[j]) << tensor.name << " row " << first + r;
                }
            }
        }
    }
    world.barrier();
    if (world.rank() == 0) std::remove(path.c_str());
}

INSTANTIATE_TEST_SUITE_P(AllDtypes, CheckpointRoundTrip,
                         testing::Values(io::StoredType::f32, io::StoredType::f64, io::StoredType::f16,
                                         io::StoredType::bf16),
                         [](const auto& info) { return io::name_of(info.param); });

TEST(CheckpointOpen, NamesTheFileAndTheProblem) {
    boost::mpi::communicator world;
    try {
        io::Checkpoint::open("/nonexistent/model.h5", world);
        ADD_FAILURE();
    } catch (const InputError& e) {
        EXPECT_STREQ(e.what(), "/nonexistent/model.h5: no such file");
    }
    const std::string text = scratch_path(world, "not-hdf5");
    if (world.rank() == 0) std::ofstream(text) << "not an HDF5 file\n";
    world.barrier();
    try {
        io::Checkpoint::open(text, world);
        ADD_FAILURE();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("not an HDF5 file"), std::string::npos) << e.what();
    }
    world.barrier();
    if (world.rank() == 0) std::remove(text.c_str());
}
