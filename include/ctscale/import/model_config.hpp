#pragma once
/// Root attributes of an imported checkpoint: from the Hugging Face config.json beside the
/// weights when there is one, else inferred from the tensors (token embedding, blocks).
#include <cstdint>
#include <string>
#include <vector>

#include "ctscale/import/import_plan.hpp"
#include "ctscale/io/checkpoint.hpp"

namespace ctscale::import {

/// Values given on the command line; empty or 0 means "not given".
struct ModelOverrides {
    std::string config_path;  ///< default: config.json beside the weights (used if present)
    std::string model_name;
    std::string architecture;
    std::int64_t vocab_size = 0;
};

/// The root attributes. Appends notes for the user (config/tensor disagreements) to
/// `warnings`. Throws InputError naming config.json when it is malformed, or when a
/// value can be neither read nor inferred.
io::ModelInfo describe_model(const SafetensorsSource& source, const ImportPlan& plan, const ModelOverrides& overrides,
                             std::vector<std::string>& warnings);

}  // namespace ctscale::import
