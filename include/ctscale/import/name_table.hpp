#pragma once
/// Roles of tensors from their names: `layer` (the block index in the name) and `kind`
/// (hdf5_schemas/README.md) for the naming of GPT-2, LLaMA/Mistral/Qwen2, GPT-NeoX/Pythia,
/// BERT/RoBERTa and Falcon. One table (name_table.cpp); a family is added by adding rows.
#include <span>
#include <string>

namespace ctscale::import {

/// Flags of a rule.
enum NameFlags : unsigned {
    plain = 0,
    conv1d = 1u << 0,           ///< stored [in, out] (GPT-2 Conv1D): transposed on import
    buffer = 1u << 1,           ///< not a parameter (causal masks, rotary inv_freq): left out
    token_embedding = 1u << 2,  ///< rows are the vocabulary (to infer vocab_size, d_model)
};

struct NameRule {
    const char* family;   ///< architecture the name belongs to; "" when families share it
    const char* pattern;  ///< ECMAScript regex matching the end of the name after a '.' or the start
    const char* kind;
    unsigned flags;
};

struct TensorRole {
    int layer = -1;
    std::string kind = "other";
    std::string family;  ///< "" for shared and unknown names
    bool known = false;  ///< some rule matched
    unsigned flags = plain;

    bool is(NameFlags flag) const noexcept { return (flags & flag) != 0; }
};

/// The table, in match order: the first rule that matches wins.
std::span<const NameRule> name_rules();

/// The role of `name`. Unknown names get kind "other" and layer -1.
TensorRole classify_tensor_name(const std::string& name);

/// The block index in `name` ("h.3.", "layers.12.", "layer.0.", "blocks.7."), or -1.
int block_index(const std::string& name);

}  // namespace ctscale::import
