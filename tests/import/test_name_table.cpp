// The name table: layer and kind for each family's naming, buffers, Conv1D, unknown names.
#include <gtest/gtest.h>

#include <string>

#include "ctscale/import/name_table.hpp"
#include "ctscale/io/checkpoint.hpp"

using namespace ctscale;
using import::classify_tensor_name;

namespace {

struct Expected {
    const char* name;
    int layer;
    const char* kind;
    unsigned flags = import::plain;
};

void check_family(const char* family, std::initializer_list<Expected> cases) {
    for (const auto& c : cases) {
        const auto role = classify_tensor_name(c.name);
        EXPECT_TRUE(role.known) << c.name;
        EXPECT_EQ(role.layer, c.layer) << c.name;
        EXPECT_EQ(role.kind, c.kind) << c.name;
        EXPECT_EQ(role.flags, c.flags) << c.name;
        if (role.is(import::conv1d) || role.is(import::token_embedding)) {
            EXPECT_EQ(role.family, family) << c.name;
        }
    }
}

}  // namespace

TEST(NameTable, Gpt2WithAndWithoutTheTransformerPrefix) {
    check_family("gpt2", {
                             {"wte.weight", -1, "embedding", import::token_embedding},
                             {"transformer.wpe.weight", -1, "embedding"},
                             {"h.0.attn.c_attn.weight", 0, "attn_qkv", import::conv1d},
                             {"transformer.h.11.attn.c_attn.bias", 11, "attn_qkv"},
                             {"h.3.attn.c_proj.weight", 3, "attn_o", import::conv1d},
                             {"h.3.mlp.c_fc.weight", 3, "mlp_up", import::conv1d},
                             {"h.3.mlp.c_proj.weight", 3, "mlp_down", import::conv1d},
                             {"h.3.ln_1.weight", 3, "other"},
                             {"h.3.attn.bias", 3, "other", import::buffer},
                             {"h.3.attn.masked_bias", 3, "other", import::buffer},
                             {"ln_f.bias", -1, "other"},
                             {"lm_head.weight", -1, "lm_head"},
                         });
}

TEST(NameTable, LlamaMistralQwen2) {
    check_family("llama", {
                              {"model.embed_tokens.weight", -1, "embedding", import::token_embedding},
                              {"model.layers.0.self_attn.q_proj.weight", 0, "attn_q"},
                              {"model.layers.0.self_attn.q_proj.bias", 0, "attn_q"},  // Qwen2
                              {"model.layers.31.self_attn.k_proj.weight", 31, "attn_k"},
                              {"model.layers.7.self_attn.v_proj.weight", 7, "attn_v"},
                              {"model.layers.7.self_attn.o_proj.weight", 7, "attn_o"},
                              {"model.layers.7.mlp.gate_proj.weight", 7, "mlp_gate"},
                              {"model.layers.7.mlp.up_proj.weight", 7, "mlp_up"},
                              {"model.layers.7.mlp.down_proj.weight", 7, "mlp_down"},
                              {"model.layers.1.block_sparse_moe.experts.5.w1.weight", 1, "mlp_gate"},  // Mixtral
                              {"model.layers.1.block_sparse_moe.experts.5.w2.weight", 1, "mlp_down"},
                              {"model.layers.7.input_layernorm.weight", 7, "other"},
                              {"model.layers.7.self_attn.rotary_emb.inv_freq", 7, "other", import::buffer},
                              {"model.norm.weight", -1, "other"},
                              {"lm_head.weight", -1, "lm_head"},
                          });
}

TEST(NameTable, GptNeoXPythia) {
    check_family("gpt_neox", {
                                 {"gpt_neox.embed_in.weight", -1, "embedding", import::token_embedding},
                                 {"gpt_neox.layers.5.attention.query_key_value.weight", 5, "attn_qkv"},
                                 {"gpt_neox.layers.5.attention.dense.weight", 5, "attn_o"},
                                 {"gpt_neox.layers.5.mlp.dense_h_to_4h.weight", 5, "mlp_up"},
                                 {"gpt_neox.layers.5.mlp.dense_4h_to_h.bias", 5, "mlp_down"},
                                 {"gpt_neox.layers.5.attention.bias", 5, "other", import::buffer},
                                 {"gpt_neox.layers.5.attention.rotary_emb.inv_freq", 5, "other", import::buffer},
                                 {"gpt_neox.final_layer_norm.weight", -1, "other"},
                                 {"embed_out.weight", -1, "lm_head"},
                             });
}

TEST(NameTable, BertRoberta) {
    check_family("bert", {
                             {"bert.embeddings.word_embeddings.weight", -1, "embedding", import::token_embedding},
                             {"roberta.embeddings.position_embeddings.weight", -1, "embedding"},
                             {"embeddings.token_type_embeddings.weight", -1, "embedding"},
                             {"bert.embeddings.position_ids", -1, "other", import::buffer},
                             {"bert.encoder.layer.2.attention.self.query.weight", 2, "attn_q"},
                             {"bert.encoder.layer.2.attention.self.key.weight", 2, "attn_k"},
                             {"bert.encoder.layer.2.attention.self.value.bias", 2, "attn_v"},
                             {"bert.encoder.layer.2.attention.output.dense.weight", 2, "attn_o"},
                             {"bert.encoder.layer.2.attention.output.LayerNorm.gamma", 2, "other"},
                             {"bert.encoder.layer.2.intermediate.dense.weight", 2, "mlp_up"},
                             {"bert.encoder.layer.2.output.dense.weight", 2, "mlp_down"},
                             {"bert.pooler.dense.weight", -1, "other"},
                             {"cls.predictions.decoder.weight", -1, "lm_head"},
                             {"lm_head.decoder.weight", -1, "lm_head"},
                             {"lm_head.dense.weight", -1, "other"},
                         });
}

TEST(NameTable, Falcon) {
    check_family("falcon", {
                               {"transformer.word_embeddings.weight", -1, "embedding", import::token_embedding},
                               {"transformer.h.4.self_attention.query_key_value.weight", 4, "attn_qkv"},
                               {"transformer.h.4.self_attention.dense.weight", 4, "attn_o"},
                               {"transformer.h.4.mlp.dense_h_to_4h.weight", 4, "mlp_up"},
                               {"transformer.h.4.mlp.dense_4h_to_h.weight", 4, "mlp_down"},
                               {"transformer.h.4.ln_attn.weight", 4, "other"},
                               {"transformer.ln_f.weight", -1, "other"},
                           });
}

TEST(NameTable, UnknownNamesAreOtherOutsideBlocks) {
    for (const char* name :
         {"encoder.conv1.weight", "model.layers.3.weird.weight", "attn_bias", "xh.3.attn.c_attn.weights"}) {
        const auto role = classify_tensor_name(name);
        EXPECT_FALSE(role.known) << name;
        EXPECT_EQ(role.kind, "other") << name;
        EXPECT_EQ(role.layer, -1) << name;
    }
}

TEST(NameTable, EveryRuleNamesAValidKind) {
    const auto& kinds = io::weight_kinds();
    for (const auto& rule : import::name_rules()) {
        EXPECT_NE(std::find(kinds.begin(), kinds.end(), rule.kind), kinds.end()) << rule.pattern;
    }
}

TEST(NameTable, BlockIndexIsNumeric) {
    EXPECT_EQ(import::block_index("model.layers.10.mlp.up_proj.weight"), 10);
    EXPECT_EQ(import::block_index("blocks.7.attn.weight"), 7);
    EXPECT_EQ(import::block_index("wte.weight"), -1);
}
