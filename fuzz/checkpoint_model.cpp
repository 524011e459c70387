#include "checkpoint_model.hpp"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <optional>

#include "ctscale/io/checkpoint.hpp"

namespace ctscale::fuzz {
namespace {

std::string up_to_nul(const std::string& s) { return s.substr(0, s.find('\0')); }

/// The value a single-string reader sees, if any (C strings end at the first NUL).
std::optional<std::string> string_value(const std::string& name, const AttrSpec& a) {
    if (a.form == AttrForm::expected && !is_integer_attribute(name)) return a.text;
    if (a.form == AttrForm::vlen_text || a.form == AttrForm::fixed_text) return up_to_nul(a.text);
    return std::nullopt;
}

/// The value a scalar-integer reader sees, if any.
std::optional<std::int64_t> int_value(const std::string& name, const AttrSpec& a) {
    if (a.form == AttrForm::expected && is_integer_attribute(name)) return a.number;
    if (a.form == AttrForm::int64 || a.form == AttrForm::narrow_int) return a.number;
    return std::nullopt;
}

bool is_float_type(ElementType t) {
    return t == ElementType::f32 || t == ElementType::f64 || t == ElementType::f16 || t == ElementType::bf16 ||
           t == ElementType::f32_big_endian;
}

std::string entry_violation(const EntrySpec& e) {
    if (e.form != EntryForm::dataset) return e.name + ": not a dataset";
    if (e.space != SpaceForm::simple || e.dims.size() > 2) return e.name + ": rank not 1 or 2";
    if (!is_float_type(e.type)) return e.name + ": not a float type";
    const hsize_t rows = e.dims.size() == 2 ? e.dims[0] : 1;
    const hsize_t cols = e.dims.back();
    std::int64_t bytes = 0;
    if (rows > INT64_MAX || cols > INT64_MAX ||
        __builtin_mul_overflow(static_cast<std::int64_t>(rows), static_cast<std::int64_t>(cols), &bytes) ||
        __builtin_mul_overflow(bytes, std::int64_t{8}, &bytes)) {
        return e.name + ": rows·cols·8 overflows";
    }
    if (e.dims.size() == 2 && (rows == 0 || cols == 0)) return e.name + ": empty matrix";
    if (e.layer.form != AttrForm::absent) {
        const auto layer = int_value("layer", e.layer);
        if (!layer || *layer < INT_MIN || *layer > INT_MAX) return e.name + ": bad layer";
    }
    std::string kind = "other";
    if (e.kind.form != AttrForm::absent) {
        const auto text = string_value("kind", e.kind);
        if (!text) return e.name + ": kind not a string";
        kind = *text;
    }
    if (e.dims.size() == 2 && (e.layer.form == AttrForm::absent || e.kind.form == AttrForm::absent)) {
        return e.name + ": matrix without layer and kind";
    }
    const auto& kinds = io::weight_kinds();
    if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) return e.name + ": unknown kind";
    if (e.transposed.form != AttrForm::absent && !int_value("transposed", e.transposed)) {
        return e.name + ": transposed not an integer";
    }
    return {};
}

}  // namespace

std::string first_violation(const CheckpointSpec& spec) {
    for (std::size_t i = 0; i < spec.root.size(); ++i) {
        const std::string name = root_attribute_names[i];
        const AttrSpec& a = spec.root[i];
        if (is_integer_attribute(name) ? !int_value(name, a) : !string_value(name, a)) {
            return "root attribute " + name + " unreadable";
        }
    }
    if (*string_value("schema", spec.root[0]) != io::checkpoint_schema) return "wrong schema";
    if (*int_value("schema_version", spec.root[1]) != io::checkpoint_schema_version) return "wrong version";
    if (spec.weights != WeightsForm::group) return "/weights not a group";
    for (const EntrySpec& e : spec.entries) {
        if (std::string v = entry_violation(e); !v.empty()) return v;
    }
    return {};
}

}  // namespace ctscale::fuzz
