#include "ctscale/import/name_table.hpp"

#include <regex>
#include <vector>

namespace ctscale::import {
namespace {

// clang-format off
// First match wins, so buffers come first and specific names before general ones (BERT's
// attention.output.dense before output.dense). Biases take the kind of their weight.
constexpr NameRule rules[] = {
    // Non-parameter buffers some checkpoints carry.
    {"gpt2",     R"(attn\.(bias|masked_bias))",                       "other", buffer},
    {"gpt_neox", R"(attention\.(bias|masked_bias))",                  "other", buffer},
    {"",         R"((inv_freq|cos_cached|sin_cached))",               "other", buffer},
    {"bert",     R"(embeddings\.(position_ids|token_type_ids))",      "other", buffer},

    // GPT-2 (Conv1D weights are [in, out]).
    {"gpt2", R"(wte\.weight)",                        "embedding", token_embedding},
    {"gpt2", R"(wpe\.weight)",                        "embedding", plain},
    {"gpt2", R"(attn\.c_attn\.weight)",               "attn_qkv",  conv1d},
    {"gpt2", R"(attn\.c_attn\.bias)",                 "attn_qkv",  plain},
    {"gpt2", R"(attn\.c_proj\.weight)",               "attn_o",    conv1d},
    {"gpt2", R"(attn\.c_proj\.bias)",                 "attn_o",    plain},
    {"gpt2", R"(mlp\.c_fc\.weight)",                  "mlp_up",    conv1d},
    {"gpt2", R"(mlp\.c_fc\.bias)",                    "mlp_up",    plain},
    {"gpt2", R"(mlp\.c_proj\.weight)",                "mlp_down",  conv1d},
    {"gpt2", R"(mlp\.c_proj\.bias)",                  "mlp_down",  plain},
    {"gpt2", R"(ln_[12]\.(weight|bias))",             "other",     plain},

    // LLaMA, Mistral/Mixtral, Qwen2 (Qwen2 adds q/k/v biases, Qwen3 q/k norms).
    {"llama", R"(embed_tokens\.weight)",                           "embedding", token_embedding},
    {"llama", R"(self_attn\.q_proj\.(weight|bias))",               "attn_q",    plain},
    {"llama", R"(self_attn\.k_proj\.(weight|bias))",               "attn_k",    plain},
    {"llama", R"(self_attn\.v_proj\.(weight|bias))",               "attn_v",    plain},
    {"llama", R"(self_attn\.o_proj\.(weight|bias))",               "attn_o",    plain},
    {"llama", R"(self_attn\.[qk]_norm\.weight)",                   "other",     plain},
    {"llama", R"(mlp\.gate_proj\.weight)",                         "mlp_gate",  plain},
    {"llama", R"(mlp\.up_proj\.weight)",                           "mlp_up",    plain},
    {"llama", R"(mlp\.down_proj\.weight)",                         "mlp_down",  plain},
    {"llama", R"(block_sparse_moe\.experts\.\d+\.w1\.weight)",     "mlp_gate",  plain},
    {"llama", R"(block_sparse_moe\.experts\.\d+\.w3\.weight)",     "mlp_up",    plain},
    {"llama", R"(block_sparse_moe\.experts\.\d+\.w2\.weight)",     "mlp_down",  plain},
    {"llama", R"(block_sparse_moe\.gate\.weight)",                 "other",     plain},
    {"llama", R"(model\.norm\.weight)",                            "other",     plain},

    // GPT-NeoX / Pythia.
    {"gpt_neox", R"(embed_in\.weight)",                            "embedding", token_embedding},
    {"gpt_neox", R"(attention\.query_key_value\.(weight|bias))",   "attn_qkv",  plain},
    {"gpt_neox", R"(attention\.dense\.(weight|bias))",             "attn_o",    plain},
    {"gpt_neox", R"(final_layer_norm\.(weight|bias))",             "other",     plain},
    {"gpt_neox", R"(embed_out\.weight)",                           "lm_head",   plain},

    // BERT / RoBERTa (LayerNorm gamma/beta in old checkpoints).
    {"bert", R"(embeddings\.word_embeddings\.weight)",                         "embedding", token_embedding},
    {"bert", R"(embeddings\.(position|token_type)_embeddings\.weight)",        "embedding", plain},
    {"bert", R"(attention\.self\.query\.(weight|bias))",                       "attn_q",    plain},
    {"bert", R"(attention\.self\.key\.(weight|bias))",                         "attn_k",    plain},
    {"bert", R"(attention\.self\.value\.(weight|bias))",                       "attn_v",    plain},
    {"bert", R"(attention\.output\.dense\.(weight|bias))",                     "attn_o",    plain},
    {"bert", R"(intermediate\.dense\.(weight|bias))",                          "mlp_up",    plain},
    {"bert", R"(output\.dense\.(weight|bias))",                                "mlp_down",  plain},
    {"bert", R"(LayerNorm\.(weight|bias|gamma|beta))",                         "other",     plain},
    {"bert", R"(pooler\.dense\.(weight|bias))",                                "other",     plain},
    {"bert", R"(cls\.predictions\.transform\.dense\.(weight|bias))",           "other",     plain},
    {"bert", R"(cls\.predictions\.(decoder\.weight|decoder\.bias|bias))",      "lm_head",   plain},
    {"bert", R"(cls\.seq_relationship\.(weight|bias))",                        "other",     plain},
    {"bert", R"(lm_head\.(dense|layer_norm)\.(weight|bias))",                  "other",     plain},
    {"bert", R"(lm_head\.(decoder\.weight|decoder\.bias|bias))",               "lm_head",   plain},

    // Falcon.
    {"falcon", R"(word_embeddings\.weight)",                         "embedding", token_embedding},
    {"falcon", R"(self_attention\.query_key_value\.(weight|bias))",  "attn_qkv",  plain},
    {"falcon", R"(self_attention\.dense\.(weight|bias))",            "attn_o",    plain},
    {"falcon", R"(ln_(attn|mlp)\.(weight|bias))",                    "other",     plain},

    // Names several families share.
    {"", R"(mlp\.dense_h_to_4h\.(weight|bias))",                     "mlp_up",    plain},
    {"", R"(mlp\.dense_4h_to_h\.(weight|bias))",                     "mlp_down",  plain},
    {"", R"((input_layernorm|post_attention_layernorm)\.(weight|bias))", "other", plain},
    {"", R"(ln_f\.(weight|bias))",                                   "other",     plain},
    {"", R"(lm_head\.weight)",                                       "lm_head",   plain},
};
// clang-format on

const std::vector<std::regex>& compiled_rules() {
    static const std::vector<std::regex> compiled = [] {
        std::vector<std::regex> out;
        for (const NameRule& rule : rules) out.emplace_back(std::string("(^|\\.)(") + rule.pattern + ")$");
        return out;
    }();
    return compiled;
}

}  // namespace

std::span<const NameRule> name_rules() { return rules; }

int block_index(const std::string& name) {
    static const std::regex block(R"((^|\.)(h|layers|layer|blocks|block)\.(\d{1,9})\.)");
    std::smatch match;
    if (!std::regex_search(name, match, block)) return -1;
    return std::stoi(match[3].str());
}

TensorRole classify_tensor_name(const std::string& name) {
    const auto& compiled = compiled_rules();
    for (std::size_t i = 0; i < compiled.size(); ++i) {
        if (!std::regex_search(name, compiled[i])) continue;
        TensorRole role;
        role.kind = rules[i].kind;
        role.family = rules[i].family;
        role.flags = rules[i].flags;
        role.known = true;
        role.layer = block_index(name);
        return role;
    }
    return {};
}

}  // namespace ctscale::import
