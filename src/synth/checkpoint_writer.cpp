#include "ctscale/synth/checkpoint_writer.hpp"

#include <vector>

#include "ctscale/error.hpp"
#include "ctscale/io/partition.hpp"
#include "ctscale/io/row_io.hpp"
#include "ctscale/synth/weights.hpp"

namespace ctscale::synth {
namespace {

void write_tensor(hid_t file, const io::TensorInfo& tensor, const Architecture& arch, const SynthSettings& settings,
                  const boost::mpi::communicator& comm) {
    hdf5::Handle dataset = io::create_weight_dataset(file, tensor);
    hdf5::Handle memory_type = io::hdf5_type(tensor.dtype);
    const io::RowPartition partition{tensor.rows, comm.size(), comm.rank()};
    const std::int64_t row_bytes = tensor.cols * static_cast<std::int64_t>(sizeof(double) + io::bytes_of(tensor.dtype));
    const io::SubBlocks blocks = io::SubBlocks::plan(partition, settings.memory_per_rank, row_bytes);
    WeightGenerator generator(settings.seed, tensor, arch.model.n_layers);
    std::vector<double> values;
    std::vector<unsigned char> raw;
    for (std::int64_t step = 0; step < blocks.steps; ++step) {
        const std::int64_t count = blocks.count(step, partition.count());
        const std::int64_t first = partition.first() + blocks.offset(step);
        values.resize(static_cast<std::size_t>(count * tensor.cols));
        raw.resize(values.size() * io::bytes_of(tensor.dtype));
        for (std::int64_t r = 0; r < count; ++r) generator.row(first + r, &values[r * tensor.cols]);
        io::from_double(tensor.dtype, values.data(), raw.data(), values.size());
        io::write_rows(dataset, memory_type, first, count, tensor.cols, raw.data());
    }
}

}  // namespace

void write_checkpoint(const std::string& path, const Architecture& arch, const SynthSettings& settings,
                      const boost::mpi::communicator& comm, const WriteProgress& progress) {
    hdf5::File file = hdf5::File::create_parallel(path, comm);
    io::ModelInfo model = arch.model;
    model.source = "ctscale-synth seed=" + std::to_string(settings.seed) + " dtype=" + io::name_of(settings.dtype);
    io::write_checkpoint_header(file, model);
    std::int64_t bytes = 0;
    for (std::size_t t = 0; t < arch.tensors.size(); ++t) {
        io::TensorInfo tensor = arch.tensors[t];
        tensor.dtype = settings.dtype;
        write_tensor(file, tensor, arch, settings, comm);
        bytes += tensor.n_params() * static_cast<std::int64_t>(io::bytes_of(tensor.dtype));
        if (progress && comm.rank() == 0) progress(t + 1, arch.tensors.size(), bytes);
    }
    file.close();
}

}  // namespace ctscale::synth
