#pragma once
/// Reading and writing `ctscale.checkpoint` v1 files (hdf5_schemas/README.md): read by every
/// rank on its own, written with parallel HDF5.
#include <mpi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ctscale/hdf5/file.hpp"
#include "ctscale/io/dtype.hpp"

namespace ctscale::io {

inline constexpr const char* checkpoint_schema = "ctscale.checkpoint";
inline constexpr std::int64_t checkpoint_schema_version = 1;

/// The `kind` values a weight may carry.
const std::vector<std::string>& weight_kinds();

struct ModelInfo {
    std::string model_name;
    std::string architecture;
    std::int64_t d_model = 0;
    std::int64_t n_layers = 0;
    std::int64_t vocab_size = 0;
    std::string source;
};

struct TensorInfo {
    std::string name;       ///< dataset name under /weights
    int rank = 2;           ///< 1 (biases, norms: counted, not analysed) or 2
    std::int64_t rows = 0;  ///< 1 for a 1-D tensor
    std::int64_t cols = 0;  ///< the row width; the length of a 1-D tensor
    int layer = -1;
    std::string kind = "other";
    StoredType dtype = StoredType::f32;
    bool transposed = false;

    /// rows·cols: cannot overflow for a tensor of an open Checkpoint, which refuses shapes
    /// whose rows·cols·8 bytes do not fit in int64.
    std::int64_t n_params() const noexcept { return rows * cols; }
};

/// An open checkpoint: its model attributes and tensors, validated on open.
class Checkpoint {
public:
    /// Every rank opens the file on its own, read-only (serial driver: no MPI-IO, no
    /// collective calls); `comm` names the ranks that call it. Throws InputError naming the
    /// file and the problem.
    static Checkpoint open(const std::string& path, MPI_Comm comm);
    /// Validates a file that is already open (an in-memory image in the fuzzer and tests)
    /// exactly as open() does. Throws InputError naming file.path() and the problem.
    static Checkpoint from_file(hdf5::File file);

    const std::string& path() const noexcept { return file_.path(); }
    const ModelInfo& model() const noexcept { return model_; }
    /// Every tensor under /weights, in name order.
    const std::vector<TensorInfo>& tensors() const noexcept { return tensors_; }
    /// Parameters of every tensor, 1-D included.
    std::int64_t total_params() const noexcept;

    /// Reads global rows [first, first + count) of `tensor` as stored (raw little-endian
    /// values, bytes_of(dtype) each) into `raw`; not collective: each rank reads only what
    /// it needs. count may be 0 (nothing is read).
    void read_raw_rows(const TensorInfo& tensor, std::int64_t first, std::int64_t count, void* raw) const;

private:
    Checkpoint(hdf5::File file) : file_(std::move(file)) {}
    hdf5::File file_;
    ModelInfo model_;
    std::vector<TensorInfo> tensors_;
};

/// Writes the root attributes of a checkpoint and creates /weights.
void write_checkpoint_header(hid_t file, const ModelInfo& model);
/// Creates the dataset for `tensor` under /weights (row-block chunks, no fill) with its
/// layer/kind/transposed attributes. Collective when the file is parallel.
hdf5::Handle create_weight_dataset(hid_t file, const TensorInfo& tensor);

}  // namespace ctscale::io
