#pragma once
/// What ctscale-import writes for a safetensors checkpoint: each tensor's target dataset
/// (dtype kept, [in, out] transposed, layer/kind from the name table) and what it leaves out.
#include <cstdint>
#include <string>
#include <vector>

#include "ctscale/import/safetensors_source.hpp"
#include "ctscale/io/checkpoint.hpp"

namespace ctscale::import {

struct ImportItem {
    io::TensorInfo target;     ///< the dataset to write (rows/cols after any transposition)
    int shard = 0;             ///< index into SafetensorsSource::shards
    std::uint64_t offset = 0;  ///< absolute file offset of the source data
    bool token_embedding = false;
};

struct ImportPlan {
    std::vector<ImportItem> items;      ///< in write order: layer (numeric), then name
    std::vector<std::string> buffers;   ///< non-parameter buffers, left out
    std::vector<std::string> unknown;   ///< unrecognised names, imported as kind=other, layer=-1
    std::vector<std::string> left_out;  ///< neither 1-D nor 2-D, or empty: "name [shape]"
    std::string family;                 ///< most common family of the recognised 2-D tensors, or ""

    std::int64_t total_params() const noexcept;
};

/// The stored type of a safetensors dtype; throws InputError for anything but
/// F32/F16/BF16/F64 (the caller names the tensor).
io::StoredType stored_type_of(const std::string& dtype);

/// Plans the import. Throws InputError naming the shard and tensor (unsupported dtype,
/// a name HDF5 cannot hold, nothing to import).
ImportPlan plan_import(const SafetensorsSource& source);

}  // namespace ctscale::import
