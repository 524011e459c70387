#include "ctscale/import/import_plan.hpp"

#include <algorithm>
#include <map>
#include <tuple>

#include "ctscale/error.hpp"
#include "ctscale/import/name_table.hpp"

namespace ctscale::import {
namespace {

std::string shape_text(const std::vector<std::int64_t>& shape) {
    std::string text = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
    return text + "]";
}

void check_dataset_name(const std::string& name) {
    if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos) {
        throw InputError("name '" + name + "' cannot be an HDF5 dataset name (empty, '.', '..' or contains '/')");
    }
}

}  // namespace

std::int64_t ImportPlan::total_params() const noexcept {
    std::int64_t total = 0;
    for (const auto& item : items) total += item.target.n_params();
    return total;
}

io::StoredType stored_type_of(const std::string& dtype) {
    if (dtype == "F32") return io::StoredType::f32;
    if (dtype == "F16") return io::StoredType::f16;
    if (dtype == "BF16") return io::StoredType::bf16;
    if (dtype == "F64") return io::StoredType::f64;
    throw InputError("unsupported dtype " + dtype + " (ctscale-import converts F32, F16, BF16 and F64)");
}

ImportPlan plan_import(const SafetensorsSource& source) {
    ImportPlan plan;
    std::map<std::string, int> family_votes;
    for (const ShardTensor& entry : source.tensors) {
        const SafetensorsTensor& t = entry.tensor;
        const std::string& shard = source.shards[entry.shard];
        const TensorRole role = classify_tensor_name(t.name);
        // Buffers first: a buffer of any dtype (BERT's int64 position_ids) is just left out.
        if (role.is(buffer)) {
            plan.buffers.push_back(t.name);
            continue;
        }
        if (t.shape.size() > 2 || t.elements() == 0) {
            plan.left_out.push_back(t.name + " " + shape_text(t.shape));
            continue;
        }
        ImportItem item;
        try {
            check_dataset_name(t.name);
            item.target.dtype = stored_type_of(t.dtype);
        } catch (const InputError& e) {
            throw InputError(shard + ": tensor '" + t.name + "': " + e.what());
        }
        item.shard = entry.shard;
        item.offset = t.begin;
        item.token_embedding = role.is(token_embedding);
        io::TensorInfo& target = item.target;
        target.name = t.name;
        target.layer = role.layer;
        target.kind = role.kind;
        if (t.shape.size() == 2) {
            target.rank = 2;
            // [in, out] becomes [out, in]: a row is one output unit's weights (hdf5_schemas/README.md).
            target.transposed = role.is(conv1d);
            target.rows = target.transposed ? t.shape[1] : t.shape[0];
            target.cols = target.transposed ? t.shape[0] : t.shape[1];
            if (!role.family.empty()) ++family_votes[role.family];
        } else {
            target.rank = 1;
            target.rows = 1;
            target.cols = t.elements();  // a scalar is stored as a 1-element vector
        }
        if (!role.known) plan.unknown.push_back(t.name);
        plan.items.push_back(std::move(item));
    }
    if (plan.items.empty()) {
        throw InputError(source.input + ": no parameter tensors to import (" + std::to_string(source.tensors.size()) +
                         " tensors, all buffers or neither 1-D nor 2-D)");
    }
    // Block order from the numbers in the names, whatever the shard order.
    std::sort(plan.items.begin(), plan.items.end(), [](const ImportItem& a, const ImportItem& b) {
        return std::tie(a.target.layer, a.target.name) < std::tie(b.target.layer, b.target.name);
    });
    // Listings in block order too: h.2 before h.10.
    const auto by_block = [](const std::string& a, const std::string& b) {
        const int block_a = block_index(a), block_b = block_index(b);
        return std::tie(block_a, a) < std::tie(block_b, b);
    };
    for (auto* names : {&plan.unknown, &plan.buffers, &plan.left_out})
        std::sort(names->begin(), names->end(), by_block);
    int best = 0;
    for (const auto& [family, votes] : family_votes) {
        if (votes > best) std::tie(plan.family, best) = std::tie(family, votes);
    }
    return plan;
}

}  // namespace ctscale::import
