#include "ctscale/synth/presets.hpp"

#include "ctscale/error.hpp"

namespace ctscale::synth {
namespace {

struct Builder {
    Architecture arch;

    void matrix(std::string name, std::int64_t rows, std::int64_t cols, int layer, std::string kind,
                bool transposed = false) {
        io::TensorInfo t;
        t.name = std::move(name);
        t.rows = rows;
        t.cols = cols;
        t.layer = layer;
        t.kind = std::move(kind);
        t.transposed = transposed;
        arch.tensors.push_back(std::move(t));
    }
    void vector(std::string name, std::int64_t length, int layer) {
        io::TensorInfo t;
        t.name = std::move(name);
        t.rank = 1;
        t.rows = 1;
        t.cols = length;
        t.layer = layer;
        arch.tensors.push_back(std::move(t));
    }
};

std::string block(const std::string& prefix, int layer, const std::string& rest) {
    return prefix + std::to_string(layer) + "." + rest;
}

/// GPT-J-style naming with separate projections; used by tiny-10m and custom sizes.
Architecture gpt_style(std::string name, std::int64_t d, std::int64_t layers, std::int64_t ffn, std::int64_t vocab) {
    Builder b;
    b.arch.model = {std::move(name), "gpt", d, layers, vocab, ""};
    b.matrix("transformer.wte.weight", vocab, d, -1, "embedding");
    for (int l = 0; l < layers; ++l) {
        const std::string p = "transformer.h.";
        b.vector(block(p, l, "ln_1.weight"), d, l);
        b.vector(block(p, l, "ln_1.bias"), d, l);
        b.matrix(block(p, l, "attn.q_proj.weight"), d, d, l, "attn_q");
        b.matrix(block(p, l, "attn.k_proj.weight"), d, d, l, "attn_k");
        b.matrix(block(p, l, "attn.v_proj.weight"), d, d, l, "attn_v");
        b.matrix(block(p, l, "attn.out_proj.weight"), d, d, l, "attn_o");
        b.vector(block(p, l, "ln_2.weight"), d, l);
        b.vector(block(p, l, "ln_2.bias"), d, l);
        b.matrix(block(p, l, "mlp.fc_in.weight"), ffn, d, l, "mlp_up");
        b.matrix(block(p, l, "mlp.fc_out.weight"), d, ffn, l, "mlp_down");
    }
    b.vector("transformer.ln_f.weight", d, -1);
    b.vector("transformer.ln_f.bias", d, -1);
    b.matrix("lm_head.weight", vocab, d, -1, "lm_head");
    return b.arch;
}

/// GPT-2 small as Hugging Face stores it; Conv1D weights transposed to [out, in].
Architecture gpt2_124m() {
    const std::int64_t d = 768, vocab = 50257, positions = 1024, layers = 12;
    Builder b;
    b.arch.model = {"gpt2-124m", "gpt2", d, layers, vocab, ""};
    b.matrix("wte.weight", vocab, d, -1, "embedding");
    b.matrix("wpe.weight", positions, d, -1, "embedding");
    for (int l = 0; l < layers; ++l) {
        const std::string p = "h.";
        b.vector(block(p, l, "ln_1.weight"), d, l);
        b.vector(block(p, l, "ln_1.bias"), d, l);
        b.matrix(block(p, l, "attn.c_attn.weight"), 3 * d, d, l, "attn_qkv", true);
        b.vector(block(p, l, "attn.c_attn.bias"), 3 * d, l);
        b.matrix(block(p, l, "attn.c_proj.weight"), d, d, l, "attn_o", true);
        b.vector(block(p, l, "attn.c_proj.bias"), d, l);
        b.vector(block(p, l, "ln_2.weight"), d, l);
        b.vector(block(p, l, "ln_2.bias"), d, l);
        b.matrix(block(p, l, "mlp.c_fc.weight"), 4 * d, d, l, "mlp_up", true);
        b.vector(block(p, l, "mlp.c_fc.bias"), 4 * d, l);
        b.matrix(block(p, l, "mlp.c_proj.weight"), d, 4 * d, l, "mlp_down", true);
        b.vector(block(p, l, "mlp.c_proj.bias"), d, l);
    }
    b.vector("ln_f.weight", d, -1);
    b.vector("ln_f.bias", d, -1);
    return b.arch;  // lm_head is tied to wte and not stored
}

/// LLaMA naming (TinyLlama-1.1B and LLaMA-7B shapes); kv_rows < d for grouped-query attention.
Architecture llama(std::string name, std::int64_t d, std::int64_t layers, std::int64_t ffn, std::int64_t kv_rows,
                   std::int64_t vocab) {
    Builder b;
    b.arch.model = {std::move(name), "llama", d, layers, vocab, ""};
    b.matrix("model.embed_tokens.weight", vocab, d, -1, "embedding");
    for (int l = 0; l < layers; ++l) {
        const std::string p = "model.layers.";
        b.vector(block(p, l, "input_layernorm.weight"), d, l);
        b.matrix(block(p, l, "self_attn.q_proj.weight"), d, d, l, "attn_q");
        b.matrix(block(p, l, "self_attn.k_proj.weight"), kv_rows, d, l, "attn_k");
        b.matrix(block(p, l, "self_attn.v_proj.weight"), kv_rows, d, l, "attn_v");
        b.matrix(block(p, l, "self_attn.o_proj.weight"), d, d, l, "attn_o");
        b.vector(block(p, l, "post_attention_layernorm.weight"), d, l);
        b.matrix(block(p, l, "mlp.gate_proj.weight"), ffn, d, l, "mlp_gate");
        b.matrix(block(p, l, "mlp.up_proj.weight"), ffn, d, l, "mlp_up");
        b.matrix(block(p, l, "mlp.down_proj.weight"), d, ffn, l, "mlp_down");
    }
    b.vector("model.norm.weight", d, -1);
    b.matrix("lm_head.weight", vocab, d, -1, "lm_head");
    return b.arch;
}

}  // namespace

const std::vector<std::string>& preset_names() {
    static const std::vector<std::string> names{"tiny-10m", "gpt2-124m", "llama-1b", "llama-7b"};
    return names;
}

Architecture preset(const std::string& name) {
    if (name == "tiny-10m") return gpt_style("tiny-10m", 256, 8, 1024, 8000);
    if (name == "gpt2-124m") return gpt2_124m();
    if (name == "llama-1b") return llama("llama-1b", 2048, 22, 5632, 256, 32000);
    if (name == "llama-7b") return llama("llama-7b", 4096, 32, 11008, 4096, 32000);
    throw UsageError("unknown preset '" + name + "' (expected tiny-10m, gpt2-124m, llama-1b or llama-7b)");
}

Architecture custom(std::int64_t d_model, std::int64_t layers, std::int64_t ffn, std::int64_t vocab_size) {
    if (d_model < 1 || layers < 0 || ffn < 1 || vocab_size < 1) {
        throw UsageError("custom sizes must be positive (--d-model, --ffn, --vocab-size >= 1, --layers >= 0)");
    }
    // The name records the shape, so the results of several custom models stay apart.
    const std::string name = "custom-d" + std::to_string(d_model) + "-l" + std::to_string(layers) + "-ffn" +
                             std::to_string(ffn) + "-v" + std::to_string(vocab_size);
    return gpt_style(name, d_model, layers, ffn, vocab_size);
}

}  // namespace ctscale::synth
