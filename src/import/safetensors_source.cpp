#include "ctscale/import/safetensors_source.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "ctscale/error.hpp"

namespace ctscale::import {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

bool ends_with(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// The index's weight_map: tensor name → shard file name (relative to the index).
std::map<std::string, std::string> read_weight_map(const fs::path& index) {
    std::ifstream in(index);
    if (!in) throw InputError(index.string() + ": cannot open");
    json document;
    try {
        document = json::parse(in);
    } catch (const json::exception& e) {
        throw InputError(index.string() + ": not valid JSON: " + e.what());
    }
    if (!document.is_object() || !document.contains("weight_map") || !document["weight_map"].is_object()) {
        throw InputError(index.string() + ": no 'weight_map' object (not a safetensors index)");
    }
    std::map<std::string, std::string> map;
    for (const auto& [name, file] : document["weight_map"].items()) {
        if (!file.is_string() || file.get<std::string>().empty()) {
            throw InputError(index.string() + ": weight_map entry '" + name + "' is not a file name");
        }
        map[name] = file.get<std::string>();
    }
    if (map.empty()) throw InputError(index.string() + ": weight_map is empty");
    return map;
}

/// Every shard must hold exactly the tensors the index assigns to it.
void check_against_index(const SafetensorsSource& source, const std::map<std::string, std::string>& map,
                         const fs::path& index) {
    std::map<std::string, int> shard_of;
    for (const auto& t : source.tensors) shard_of[t.tensor.name] = t.shard;
    for (const auto& [name, file] : map) {
        const fs::path expected = source.directory / file;
        auto found = shard_of.find(name);
        if (found == shard_of.end() || fs::path(source.shards[found->second]) != expected) {
            throw InputError(index.string() + ": lists tensor '" + name + "' in " + file +
                             ", but that shard does not hold it");
        }
    }
    for (const auto& t : source.tensors) {
        if (!map.count(t.tensor.name)) {
            throw InputError(source.shards[t.shard] + ": tensor '" + t.tensor.name + "' is not listed in " +
                             index.string());
        }
    }
}

std::vector<std::string> shards_in_directory(const fs::path& directory) {
    std::vector<std::string> files;
    for (const auto& entry : fs::directory_iterator(directory)) {
        if (entry.is_regular_file() && entry.path().extension() == ".safetensors") {
            files.push_back(entry.path().string());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::vector<fs::path> index_files_in(const fs::path& directory) {
    std::vector<fs::path> found;
    for (const auto& entry : fs::directory_iterator(directory)) {
        if (entry.is_regular_file() && ends_with(entry.path().filename().string(), ".safetensors.index.json")) {
            found.push_back(entry.path());
        }
    }
    return found;
}

void read_shards(SafetensorsSource& source) {
    std::map<std::string, int> owner;
    for (int s = 0; s < static_cast<int>(source.shards.size()); ++s) {
        SafetensorsHeader header = read_safetensors_header(source.shards[s]);
        for (auto& tensor : header.tensors) {
            auto [it, inserted] = owner.emplace(tensor.name, s);
            if (!inserted) {
                throw InputError(source.shards[s] + ": duplicate tensor name '" + tensor.name + "' (also in " +
                                 source.shards[it->second] + ")");
            }
            source.tensors.push_back({std::move(tensor), s});
        }
    }
}

}  // namespace

SafetensorsSource open_safetensors_source(const std::string& path) {
    SafetensorsSource source;
    source.input = path;
    const fs::path input(path);
    std::error_code error;
    if (!fs::exists(input, error)) throw InputError(path + ": no such file or directory");

    fs::path index;
    if (fs::is_directory(input)) {
        source.directory = input;
        const auto indexes = index_files_in(input);
        if (indexes.size() > 1) throw InputError(path + ": several *.safetensors.index.json files; name one");
        if (indexes.size() == 1) index = indexes.front();
    } else {
        source.directory = input.parent_path().empty() ? fs::path(".") : input.parent_path();
        if (ends_with(path, ".json")) index = input;
    }

    std::map<std::string, std::string> weight_map;
    if (!index.empty()) {
        weight_map = read_weight_map(index);
        std::set<std::string> files;
        for (const auto& [name, file] : weight_map) files.insert(file);
        for (const auto& file : files) {
            const fs::path shard = source.directory / file;
            if (!fs::is_regular_file(shard)) {
                throw InputError(index.string() + ": lists shard " + file + ", which does not exist");
            }
            source.shards.push_back(shard.string());
        }
    } else if (fs::is_directory(input)) {
        source.shards = shards_in_directory(input);
        if (source.shards.empty()) throw InputError(path + ": no *.safetensors files in this directory");
    } else {
        source.shards.push_back(path);
    }

    read_shards(source);
    if (!index.empty()) check_against_index(source, weight_map, index);
    return source;
}

}  // namespace ctscale::import
