#pragma once
/// Architecture presets of ctscale-synth: tensor names, shapes, layers and kinds as the
/// Hugging Face checkpoints of each family store them (oriented [out, in], hdf5_schemas/README.md).
#include <cstdint>
#include <string>
#include <vector>

#include "ctscale/io/checkpoint.hpp"

namespace ctscale::synth {

struct Architecture {
    io::ModelInfo model;
    std::vector<io::TensorInfo> tensors;  ///< in creation order; dtype left at f32
};

/// Names accepted by --preset.
const std::vector<std::string>& preset_names();
/// Throws UsageError for an unknown name.
Architecture preset(const std::string& name);
/// A GPT-style model of the given sizes (separate q/k/v/o, fc_in/fc_out, untied head).
Architecture custom(std::int64_t d_model, std::int64_t layers, std::int64_t ffn, std::int64_t vocab_size);

}  // namespace ctscale::synth
