#pragma once
/// The tensors of a safetensors checkpoint given as one file, a directory of shards, or a
/// Hugging Face `model.safetensors.index.json` (whose weight_map must agree with the shards).
#include <filesystem>
#include <string>
#include <vector>

#include "ctscale/import/safetensors.hpp"

namespace ctscale::import {

struct ShardTensor {
    SafetensorsTensor tensor;
    int shard = 0;  ///< index into SafetensorsSource::shards
};

struct SafetensorsSource {
    std::string input;                 ///< PATH as given
    std::filesystem::path directory;   ///< where the weights are (config.json is looked for here)
    std::vector<std::string> shards;   ///< paths of the shard files
    std::vector<ShardTensor> tensors;  ///< every tensor of every shard; names unique
};

/// Resolves PATH and parses every shard header. Throws InputError naming the file at fault.
SafetensorsSource open_safetensors_source(const std::string& path);

}  // namespace ctscale::import
