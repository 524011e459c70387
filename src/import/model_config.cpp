#include "ctscale/import/model_config.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "ctscale/error.hpp"

#ifndef CTSCALE_VERSION
#define CTSCALE_VERSION "unknown"
#endif

namespace ctscale::import {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

std::optional<json> read_config(const fs::path& path, bool required) {
    if (!fs::exists(path)) {
        if (required) throw InputError(path.string() + ": no such file");
        return std::nullopt;
    }
    std::ifstream in(path);
    if (!in) throw InputError(path.string() + ": cannot open");
    try {
        json config = json::parse(in);
        if (!config.is_object()) throw InputError(path.string() + ": not a JSON object");
        return config;
    } catch (const json::exception& e) {
        throw InputError(path.string() + ": not valid JSON: " + e.what());
    }
}

/// The first of `keys` holding a positive integer, at the top level or in text_config
/// (multimodal configs nest the language model there).
std::int64_t config_int(const std::optional<json>& config, std::initializer_list<const char*> keys) {
    if (!config) return 0;
    for (const json* scope : {&*config, config->contains("text_config") ? &(*config)["text_config"] : nullptr}) {
        if (!scope || !scope->is_object()) continue;
        for (const char* key : keys) {
            if (scope->contains(key) && (*scope)[key].is_number_integer() && (*scope)[key].get<std::int64_t>() > 0) {
                return (*scope)[key].get<std::int64_t>();
            }
        }
    }
    return 0;
}

std::string config_string(const std::optional<json>& config, const char* key) {
    if (!config || !config->contains(key) || !(*config)[key].is_string()) return "";
    return (*config)[key].get<std::string>();
}

const ImportItem* find_item(const ImportPlan& plan, bool (*wanted)(const ImportItem&)) {
    for (const auto& item : plan.items) {
        if (wanted(item)) return &item;
    }
    return nullptr;
}

/// The most common row width of the 2-D tensors inside blocks (d_model for every family),
/// or of all 2-D tensors when no name has a block number.
std::int64_t common_width(const ImportPlan& plan) {
    std::map<std::int64_t, int> counts, all;
    for (const auto& item : plan.items) {
        if (item.target.rank == 2 && item.target.layer >= 0) ++counts[item.target.cols];
        if (item.target.rank == 2) ++all[item.target.cols];
    }
    if (counts.empty()) counts = all;
    auto best = std::max_element(counts.begin(), counts.end(),
                                 [](const auto& a, const auto& b) { return a.second < b.second; });
    return best == counts.end() ? 0 : best->first;
}

std::string default_model_name(const SafetensorsSource& source) {
    std::error_code error;
    const fs::path directory = fs::weakly_canonical(source.directory, error);
    if (!error && !directory.filename().empty()) return directory.filename().string();
    return fs::path(source.input).stem().string();
}

}  // namespace

io::ModelInfo describe_model(const SafetensorsSource& source, const ImportPlan& plan, const ModelOverrides& overrides,
                             std::vector<std::string>& warnings) {
    const bool explicit_config = !overrides.config_path.empty();
    const fs::path config_path = explicit_config ? fs::path(overrides.config_path) : source.directory / "config.json";
    const std::optional<json> config = read_config(config_path, explicit_config);

    const ImportItem* embedding =
        find_item(plan, [](const ImportItem& i) { return i.token_embedding && i.target.rank == 2; });
    const ImportItem* head =
        find_item(plan, [](const ImportItem& i) { return i.target.kind == "lm_head" && i.target.rank == 2; });
    int max_layer = -1;
    for (const auto& item : plan.items) max_layer = std::max(max_layer, item.target.layer);

    io::ModelInfo model;
    model.model_name = overrides.model_name;
    if (model.model_name.empty()) model.model_name = config_string(config, "_name_or_path");
    if (model.model_name.empty()) model.model_name = default_model_name(source);
    model.architecture = overrides.architecture;
    if (model.architecture.empty()) model.architecture = config_string(config, "model_type");
    if (model.architecture.empty()) model.architecture = plan.family.empty() ? "unknown" : plan.family;

    const std::int64_t inferred_d = embedding ? embedding->target.cols : common_width(plan);
    model.d_model = config_int(config, {"hidden_size", "n_embd", "d_model", "dim", "n_embed"});
    if (model.d_model == 0) model.d_model = inferred_d;
    if (model.d_model == 0) {
        throw InputError(source.input +
                         ": cannot infer d_model (no matrices): put the "
                         "model's config.json beside the weights or pass --config");
    }
    if (inferred_d && inferred_d != model.d_model) {
        warnings.push_back("config.json gives d_model " + std::to_string(model.d_model) + " but the tensors suggest " +
                           std::to_string(inferred_d) + "; keeping " + std::to_string(model.d_model));
    }

    model.n_layers = config_int(config, {"num_hidden_layers", "n_layer", "num_layers", "n_layers"});
    if (model.n_layers < max_layer + 1) {
        if (model.n_layers > 0) {
            warnings.push_back("config.json gives " + std::to_string(model.n_layers) +
                               " layers but the names reach layer " + std::to_string(max_layer) + "; n_layers set to " +
                               std::to_string(max_layer + 1));
        }
        model.n_layers = max_layer + 1;
    }

    model.vocab_size = overrides.vocab_size;
    if (model.vocab_size == 0) model.vocab_size = config_int(config, {"vocab_size", "n_vocab", "padded_vocab_size"});
    if (model.vocab_size == 0 && embedding) model.vocab_size = embedding->target.rows;
    if (model.vocab_size == 0 && head) model.vocab_size = head->target.rows;
    if (model.vocab_size == 0) {
        throw InputError(source.input +
                         ": cannot infer vocab_size (no token embedding or lm_head): put the model's "
                         "config.json beside the weights or pass --vocab-size");
    }

    model.source = std::string("ctscale-import ") + CTSCALE_VERSION + " from safetensors " + source.input + " (" +
                   std::to_string(source.shards.size()) + (source.shards.size() == 1 ? " file" : " shards") +
                   (config ? ", " + config_path.string() : std::string(", no config.json: attributes inferred")) + ")";
    return model;
}

}  // namespace ctscale::import
