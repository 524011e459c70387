#include "ctscale/io/checkpoint.hpp"

#include <algorithm>
#include <filesystem>
#include <optional>

#include "ctscale/error.hpp"
#include "ctscale/hdf5/attributes.hpp"
#include "ctscale/io/row_io.hpp"
#include "ctscale/util/checked.hpp"

namespace ctscale::io {
namespace {

herr_t collect_name(hid_t, const char* name, const H5L_info_t*, void* out) {
    static_cast<std::vector<std::string>*>(out)->emplace_back(name);
    return 0;
}

std::vector<std::string> link_names(hid_t group) {
    std::vector<std::string> names;
    hdf5::check(H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, nullptr, collect_name, &names), "H5Literate2");
    return names;
}

ModelInfo read_model_info(hid_t file) {
    std::string schema = hdf5::read_string_attribute(file, "schema");
    if (schema != checkpoint_schema) {
        throw InputError("schema is '" + schema + "', expected '" + checkpoint_schema + "'");
    }
    std::int64_t version = hdf5::read_int_attribute(file, "schema_version");
    if (version != checkpoint_schema_version) {
        throw InputError("unsupported schema_version " + std::to_string(version) + " (this ctscale reads " +
                         std::to_string(checkpoint_schema_version) + ")");
    }
    ModelInfo model;
    model.model_name = hdf5::read_string_attribute(file, "model_name");
    model.architecture = hdf5::read_string_attribute(file, "architecture");
    model.d_model = hdf5::read_int_attribute(file, "d_model");
    model.n_layers = hdf5::read_int_attribute(file, "n_layers");
    model.vocab_size = hdf5::read_int_attribute(file, "vocab_size");
    model.source = hdf5::read_string_attribute(file, "source");
    return model;
}

H5O_type_t object_type(hid_t parent, const std::string& name) {
    H5O_info_t object{};
    hdf5::check(H5Oget_info_by_name2(parent, name.c_str(), &object, H5O_INFO_BASIC, H5P_DEFAULT), "H5Oget_info");
    return object.type;
}

TensorInfo read_tensor_info(hid_t weights, const std::string& name) {
    if (object_type(weights, name) != H5O_TYPE_DATASET) throw InputError("is not a dataset");
    hdf5::Handle dataset = hdf5::open_dataset(weights, name);
    hdf5::Handle space = hdf5::dataspace(H5Dget_space(dataset), "H5Dget_space");
    hdf5::Handle type = hdf5::datatype(H5Dget_type(dataset), "H5Dget_type");
    TensorInfo tensor;
    tensor.name = name;
    tensor.rank = H5Sget_simple_extent_ndims(space);
    if (tensor.rank != 1 && tensor.rank != 2) {
        throw InputError("has rank " + std::to_string(tensor.rank) + " (only 1-D and 2-D weights are supported)");
    }
    hsize_t dims[2] = {1, 1};
    hdf5::check(H5Sget_simple_extent_dims(space, tensor.rank == 2 ? dims : dims + 1, nullptr),
                "H5Sget_simple_extent_dims");
    tensor.dtype = classify(type);
    // Every later buffer is a block of these rows as doubles: refuse a declared shape
    // (cheap to declare in a chunked, unwritten dataset) whose bytes overflow here.
    const std::string shape = "has shape " + std::to_string(dims[0]) + "x" + std::to_string(dims[1]);
    tensor.rows = util::checked_cast<std::int64_t>(dims[0], shape);
    tensor.cols = util::checked_cast<std::int64_t>(dims[1], shape);
    util::checked_mul(util::checked_mul(tensor.rows, tensor.cols, shape), std::int64_t{sizeof(double)},
                      shape + " (as doubles)");
    if (tensor.rank == 2 && (tensor.rows == 0 || tensor.cols == 0)) {
        throw InputError("is an empty matrix (" + std::to_string(tensor.rows) + "x" + std::to_string(tensor.cols) +
                         ")");
    }
    if (hdf5::has_attribute(dataset, "layer")) {
        tensor.layer = util::checked_cast<int>(hdf5::read_int_attribute(dataset, "layer"), "attribute 'layer'");
    }
    if (hdf5::has_attribute(dataset, "kind")) tensor.kind = hdf5::read_string_attribute(dataset, "kind");
    if (tensor.rank == 2 && !(hdf5::has_attribute(dataset, "layer") && hdf5::has_attribute(dataset, "kind"))) {
        throw InputError("lacks the 'layer' and 'kind' attributes");
    }
    const auto& kinds = weight_kinds();
    if (std::find(kinds.begin(), kinds.end(), tensor.kind) == kinds.end()) {
        throw InputError("has unknown kind '" + tensor.kind + "'");
    }
    if (hdf5::has_attribute(dataset, "transposed")) tensor.transposed = hdf5::read_int_attribute(dataset, "transposed");
    return tensor;
}

}  // namespace

const std::vector<std::string>& weight_kinds() {
    static const std::vector<std::string> kinds{"attn_q",   "attn_k",   "attn_v",    "attn_qkv", "attn_o", "mlp_up",
                                                "mlp_gate", "mlp_down", "embedding", "lm_head",  "other"};
    return kinds;
}

Checkpoint Checkpoint::open(const std::string& path, MPI_Comm /*comm*/) {
    if (!std::filesystem::exists(path)) throw InputError(path + ": no such file");
    if (H5Fis_hdf5(path.c_str()) <= 0) throw InputError(path + ": not an HDF5 file (or truncated/corrupt)");
    std::optional<hdf5::File> file;
    try {
        // Every rank opens the file on its own: an MPI-IO open and collective metadata
        // reads cost collective rounds that grow with the rank count (BENCHMARKS.md, "Many
        // ranks on one node"), and each rank reads only its own rows.
        file.emplace(hdf5::File::open_serial(path));
    } catch (const LibraryError& e) {
        throw InputError(path + ": truncated or corrupt HDF5 file (" + e.what() + ")");
    }
    return from_file(std::move(*file));
}

Checkpoint Checkpoint::from_file(hdf5::File file) {
    const std::string path = file.path();
    try {
        Checkpoint checkpoint(std::move(file));
        checkpoint.model_ = read_model_info(checkpoint.file_);
        if (!hdf5::link_exists(checkpoint.file_, "weights")) throw InputError("missing group /weights");
        if (object_type(checkpoint.file_, "weights") != H5O_TYPE_GROUP) throw InputError("/weights is not a group");
        hdf5::Handle weights = hdf5::open_group(checkpoint.file_, "weights");
        std::int64_t total = 0;
        for (const std::string& name : link_names(weights)) {
            try {
                checkpoint.tensors_.push_back(read_tensor_info(weights, name));
                total = util::checked_add(total, checkpoint.tensors_.back().n_params(), "total parameter count");
            } catch (const Error& e) {
                throw InputError("dataset /weights/" + name + " " + e.what());
            }
        }
        return checkpoint;
    } catch (const InputError& e) {
        throw InputError(path + ": " + e.what());
    } catch (const LibraryError& e) {
        throw InputError(path + ": truncated or corrupt HDF5 file (" + e.what() + ")");
    }
}

std::int64_t Checkpoint::total_params() const noexcept {
    std::int64_t total = 0;
    for (const auto& tensor : tensors_) total += tensor.n_params();
    return total;
}

void Checkpoint::read_raw_rows(const TensorInfo& tensor, std::int64_t first, std::int64_t count, void* raw) const {
    if (count == 0) return;
    hdf5::Handle weights = hdf5::open_group(file_, "weights");
    hdf5::Handle dataset = hdf5::open_dataset(weights, tensor.name);
    hdf5::Handle memory_type = hdf5_type(tensor.dtype);
    try {
        read_rows(dataset, memory_type, first, count, tensor.cols, raw, file_.transfer());
    } catch (const LibraryError& e) {
        throw InputError(path() + ": dataset /weights/" + tensor.name + ": read failed: " + e.what());
    }
}

void write_checkpoint_header(hid_t file, const ModelInfo& model) {
    hdf5::write_attribute(file, "schema", checkpoint_schema);
    hdf5::write_attribute(file, "schema_version", checkpoint_schema_version);
    hdf5::write_attribute(file, "model_name", model.model_name);
    hdf5::write_attribute(file, "architecture", model.architecture);
    hdf5::write_attribute(file, "d_model", model.d_model);
    hdf5::write_attribute(file, "n_layers", model.n_layers);
    hdf5::write_attribute(file, "vocab_size", model.vocab_size);
    hdf5::write_attribute(file, "source", model.source);
    hdf5::create_group(file, "weights");
}

hdf5::Handle create_weight_dataset(hid_t file, const TensorInfo& tensor) {
    hsize_t dims[2] = {static_cast<hsize_t>(tensor.rows), static_cast<hsize_t>(tensor.cols)};
    if (tensor.rank == 1) dims[0] = static_cast<hsize_t>(tensor.cols);
    hdf5::Handle space = hdf5::dataspace(H5Screate_simple(tensor.rank, dims, nullptr), "H5Screate_simple");
    hdf5::Handle creation = hdf5::property_list(H5P_DATASET_CREATE);
    // Row-block chunks of about 1 MiB so a rank's rows map to whole chunks.
    const hsize_t row_bytes = static_cast<hsize_t>(tensor.cols) * bytes_of(tensor.dtype);
    hsize_t chunk[2] = {std::clamp<hsize_t>((1u << 20) / std::max<hsize_t>(1, row_bytes), 1, dims[0]), dims[1]};
    if (tensor.rank == 1) chunk[0] = dims[0];
    if (dims[0] > 0 && (tensor.rank == 1 || dims[1] > 0)) {
        hdf5::check(H5Pset_chunk(creation, tensor.rank, chunk), "H5Pset_chunk");
    }
    hdf5::check(H5Pset_fill_time(creation, H5D_FILL_TIME_NEVER), "H5Pset_fill_time");
    hdf5::Handle type = hdf5_type(tensor.dtype);
    hdf5::Handle weights = hdf5::open_group(file, "weights");
    hdf5::Handle dataset(H5Dcreate2(weights, tensor.name.c_str(), type, space, H5P_DEFAULT, creation, H5P_DEFAULT),
                         H5Dclose, "cannot create dataset /weights/" + tensor.name);
    hdf5::write_attribute(dataset, "layer", static_cast<std::int64_t>(tensor.layer));
    hdf5::write_attribute(dataset, "kind", tensor.kind);
    if (tensor.transposed) hdf5::write_attribute(dataset, "transposed", std::int64_t{1});
    return dataset;
}

}  // namespace ctscale::io
