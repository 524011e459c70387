#include "ctscale/import/checkpoint_import.hpp"

#include <cstring>
#include <memory>
#include <vector>

#include "ctscale/error.hpp"
#include "ctscale/hdf5/file.hpp"
#include "ctscale/import/positioned_file.hpp"
#include "ctscale/io/partition.hpp"
#include "ctscale/io/row_io.hpp"
#include "ctscale/mpi/collective.hpp"
#include "ctscale/util/checked.hpp"

namespace ctscale::import {
namespace {

/// Reads target rows [first, first + count) of `item` into `out` (stored bytes).
void read_rows(const ImportItem& item, const PositionedFile& file, std::int64_t first, std::int64_t count,
               std::vector<unsigned char>& out, std::vector<unsigned char>& segment) {
    const io::TensorInfo& t = item.target;
    const std::uint64_t element = io::bytes_of(t.dtype);
    const std::string what = "tensor '" + t.name + "'";
    out.resize(util::checked_bytes(count, t.cols, element, what));
    if (count == 0) return;
    if (!t.transposed) {
        file.read_exact(item.offset + static_cast<std::uint64_t>(first * t.cols) * element, out.size(), out.data(),
                        what);
        return;
    }
    // The source is [cols, rows] (Conv1D [in, out]): target rows are source columns, so each
    // source row contributes one contiguous segment, scattered into column i of the block.
    segment.resize(static_cast<std::size_t>(count) * element);
    for (std::int64_t i = 0; i < t.cols; ++i) {
        const std::uint64_t at = item.offset + static_cast<std::uint64_t>(i * t.rows + first) * element;
        file.read_exact(at, segment.size(), segment.data(), what);
        for (std::int64_t r = 0; r < count; ++r) {
            std::memcpy(&out[static_cast<std::size_t>(r * t.cols + i) * element], &segment[r * element], element);
        }
    }
}

void copy_tensor(hid_t file, const ImportItem& item, const PositionedFile& shard, std::int64_t memory_per_rank,
                 const boost::mpi::communicator& comm) {
    const io::TensorInfo& t = item.target;
    hdf5::Handle dataset;
    mpi::all_or_nothing(comm, [&] { dataset = io::create_weight_dataset(file, t); });
    const hdf5::Handle memory_type = io::hdf5_type(t.dtype);
    const io::RowPartition partition{t.rows, comm.size(), comm.rank()};
    const auto row_bytes = static_cast<std::int64_t>(t.cols * io::bytes_of(t.dtype));
    const io::SubBlocks blocks = io::SubBlocks::plan(partition, memory_per_rank, row_bytes);
    std::vector<unsigned char> rows, segment;
    for (std::int64_t step = 0; step < blocks.steps; ++step) {
        const std::int64_t count = blocks.count(step, partition.count());
        const std::int64_t first = partition.first() + blocks.offset(step);
        // Agree after the local read, before the collective write that needs every rank.
        mpi::all_or_nothing(comm, [&] { read_rows(item, shard, first, count, rows, segment); });
        mpi::all_or_nothing(comm, [&] {
            try {
                io::write_rows(dataset, memory_type, first, count, t.cols, rows.data());
            } catch (const LibraryError& e) {
                throw InputError("cannot write dataset /weights/" + t.name + ": " + e.what());
            }
        });
    }
}

}  // namespace

void write_imported_checkpoint(const std::string& path, const io::ModelInfo& model, const SafetensorsSource& source,
                               const ImportPlan& plan, std::int64_t memory_per_rank,
                               const boost::mpi::communicator& comm, const ImportProgress& progress) {
    std::vector<PositionedFile> shards;
    mpi::all_or_nothing(comm, [&] {
        for (const auto& shard : source.shards) shards.emplace_back(shard);
    });
    std::unique_ptr<hdf5::File> file;
    mpi::all_or_nothing(comm, [&] {
        try {
            file = std::make_unique<hdf5::File>(hdf5::File::create_parallel(path, comm));
            io::write_checkpoint_header(*file, model);
        } catch (const LibraryError& e) {
            throw InputError(path + ": cannot create: " + e.what());
        }
    });
    std::int64_t bytes = 0;
    for (std::size_t i = 0; i < plan.items.size(); ++i) {
        const ImportItem& item = plan.items[i];
        copy_tensor(*file, item, shards[item.shard], memory_per_rank, comm);
        bytes += item.target.n_params() * static_cast<std::int64_t>(io::bytes_of(item.target.dtype));
        if (progress && comm.rank() == 0) progress(i + 1, plan.items.size(), bytes);
    }
    mpi::all_or_nothing(comm, [&] {
        try {
            file->close();
        } catch (const LibraryError& e) {
            throw InputError(path + ": " + e.what());
        }
    });
}

}  // namespace ctscale::import
