#include "ctscale/import/safetensors.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "ctscale/error.hpp"
#include "ctscale/import/positioned_file.hpp"
#include "ctscale/util/checked.hpp"

namespace ctscale::import {
namespace {

using json = nlohmann::json;

struct DtypeBits {
    std::string_view name;
    unsigned bits;
};

// Every dtype of the format (safetensors 0.5), so that offsets of tensors ctscale does
// not convert are still validated; the importer decides what it converts.
constexpr std::array<DtypeBits, 20> dtypes{{
    {"BOOL", 8},    {"U8", 8},      {"I8", 8},   {"F8_E5M2", 8}, {"F8_E4M3", 8}, {"F8_E8M0", 8}, {"F4", 4},
    {"F6_E2M3", 6}, {"F6_E3M2", 6}, {"I16", 16}, {"U16", 16},    {"F16", 16},    {"BF16", 16},   {"I32", 32},
    {"U32", 32},    {"F32", 32},    {"C64", 64}, {"F64", 64},    {"I64", 64},    {"U64", 64},
}};

std::string quoted(const std::string& name) { return "tensor '" + name + "'"; }

std::uint64_t non_negative(const json& value, const std::string& what) {
    if (!value.is_number_unsigned()) throw InputError(what + " is not a non-negative integer");
    return value.get<std::uint64_t>();
}

std::string shape_text(const std::vector<std::int64_t>& shape) {
    std::string text = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
    return text + "]";
}

/// One tensor entry; its offsets are checked against the data buffer (`data_bytes`)
/// before they become absolute, so no sum below can wrap.
SafetensorsTensor parse_entry(const std::string& name, const json& entry, std::uint64_t data_start,
                              std::uint64_t data_bytes) {
    if (!entry.is_object()) throw InputError(quoted(name) + ": entry is not an object");
    for (const char* key : {"dtype", "shape", "data_offsets"}) {
        if (!entry.contains(key)) throw InputError(quoted(name) + ": missing '" + key + "'");
    }
    SafetensorsTensor tensor;
    tensor.name = name;
    if (!entry["dtype"].is_string()) throw InputError(quoted(name) + ": 'dtype' is not a string");
    tensor.dtype = entry["dtype"].get<std::string>();
    const unsigned bits = dtype_bits(tensor.dtype);
    if (bits == 0) throw InputError(quoted(name) + ": unknown dtype '" + tensor.dtype + "'");

    const json& shape = entry["shape"];
    if (!shape.is_array()) throw InputError(quoted(name) + ": 'shape' is not an array");
    for (const json& dim : shape) {
        const std::uint64_t d = non_negative(dim, quoted(name) + ": a 'shape' entry");
        tensor.shape.push_back(util::checked_cast<std::int64_t>(d, quoted(name) + ": a 'shape' entry"));
    }
    // Element count and bytes in checked arithmetic: SafetensorsTensor::elements() and every
    // rows·cols·bytes after it stay within int64 because this product does.
    const std::string what = quoted(name) + ": shape " + shape_text(tensor.shape);
    std::int64_t elements = 1;
    for (std::int64_t d : tensor.shape) elements = util::checked_mul(elements, d, what);
    const std::uint64_t bit_count = util::checked_mul(static_cast<std::uint64_t>(elements), std::uint64_t{bits}, what);

    const json& offsets = entry["data_offsets"];
    if (!offsets.is_array() || offsets.size() != 2) {
        throw InputError(quoted(name) + ": 'data_offsets' is not a pair [begin, end]");
    }
    const std::uint64_t begin = non_negative(offsets[0], quoted(name) + ": data_offsets begin");
    const std::uint64_t end = non_negative(offsets[1], quoted(name) + ": data_offsets end");
    if (end < begin) throw InputError(quoted(name) + ": data_offsets end < begin");
    if (bit_count % 8 != 0 || bit_count / 8 != end - begin) {
        throw InputError(quoted(name) + ": shape/offset mismatch: " + std::to_string(elements) + " " + tensor.dtype +
                         " elements need " + std::to_string(bit_count / 8) +
                         (bit_count % 8 ? " and a fraction of a byte" : "") + " but data_offsets span " +
                         std::to_string(end - begin));
    }
    if (end > data_bytes) {
        throw InputError(quoted(name) + ": data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
                         ") run past the end of the data (" + std::to_string(data_bytes) + " bytes)");
    }
    tensor.begin = data_start + begin;
    tensor.end = data_start + end;
    return tensor;
}

/// Sorted by offset, each tensor must start where the previous ended, and the last end
/// where the file ends (each end is already within the data).
void check_coverage(const std::vector<SafetensorsTensor>& tensors, std::uint64_t data_start, std::uint64_t data_bytes) {
    std::uint64_t expected = data_start;
    const std::string* previous = nullptr;
    for (const auto& t : tensors) {
        if (t.begin < expected) {
            throw InputError(quoted(t.name) + " and " + quoted(*previous) + ": data_offsets overlap");
        }
        if (t.begin > expected) {
            throw InputError("data bytes [" + std::to_string(expected - data_start) + ", " +
                             std::to_string(t.begin - data_start) +
                             ") belong to no tensor (the format allows no holes)");
        }
        expected = t.end;
        previous = &t.name;
    }
    if (expected != data_start + data_bytes) {
        throw InputError("the last " + std::to_string(data_start + data_bytes - expected) +
                         " bytes of the file belong to no tensor");
    }
}

}  // namespace

std::int64_t SafetensorsTensor::elements() const noexcept {
    std::int64_t n = 1;
    for (std::int64_t d : shape) n *= d;
    return n;
}

unsigned dtype_bits(std::string_view dtype) {
    for (const auto& d : dtypes) {
        if (d.name == dtype) return d.bits;
    }
    return 0;
}

SafetensorsHeader parse_safetensors_header(std::string_view json_text, std::uint64_t header_length,
                                           std::uint64_t data_bytes) {
    // nlohmann keeps the last of duplicate keys silently; a callback sees every top-level key.
    std::set<std::string> seen;
    std::string duplicate;
    const auto on_event = [&](int depth, json::parse_event_t event, json& parsed) {
        if (event == json::parse_event_t::key && depth == 1 && !seen.insert(parsed.get<std::string>()).second &&
            duplicate.empty()) {
            duplicate = parsed.get<std::string>();
        }
        return true;
    };
    json document;
    try {
        document = json::parse(json_text.begin(), json_text.end(), on_event);
    } catch (const json::exception& e) {
        throw InputError(std::string("header is not valid JSON: ") + e.what());
    }
    if (!document.is_object()) throw InputError("header is not a JSON object");
    if (!duplicate.empty()) throw InputError("duplicate tensor name '" + duplicate + "' in the header");

    SafetensorsHeader header;
    header.header_length = header_length;
    header.data_bytes = data_bytes;
    const std::uint64_t data_start = util::checked_add(std::uint64_t{8}, header_length, "header length");
    util::checked_add(data_start, data_bytes, "file size");
    for (const auto& [name, entry] : document.items()) {
        if (name == "__metadata__") {
            if (!entry.is_object()) throw InputError("'__metadata__' is not an object");
            for (const auto& [key, value] : entry.items()) {
                if (!value.is_string()) throw InputError("'__metadata__' value '" + key + "' is not a string");
                header.metadata[key] = value.get<std::string>();
            }
            continue;
        }
        header.tensors.push_back(parse_entry(name, entry, data_start, data_bytes));
    }
    std::sort(header.tensors.begin(), header.tensors.end(),
              [](const auto& a, const auto& b) { return std::tie(a.begin, a.end) < std::tie(b.begin, b.end); });
    check_coverage(header.tensors, data_start, data_bytes);
    return header;
}

std::uint64_t safetensors_header_length(const unsigned char (&bytes)[8], std::uint64_t file_size) {
    if (file_size < 8) throw InputError("not a safetensors file (shorter than its 8-byte header length)");
    std::uint64_t length = 0;
    for (int i = 7; i >= 0; --i) length = (length << 8) | bytes[i];  // little-endian
    if (length > max_safetensors_header) {
        throw InputError("header length " + std::to_string(length) + " exceeds the format's limit of " +
                         std::to_string(max_safetensors_header) + " bytes (not a safetensors file?)");
    }
    if (length > file_size - 8) {
        throw InputError("header length " + std::to_string(length) + " runs past the end of the file (" +
                         std::to_string(file_size) + " bytes): truncated or not a safetensors file");
    }
    return length;
}

SafetensorsHeader parse_safetensors_file(std::string_view file) {
    unsigned char length_bytes[8] = {};
    if (file.size() >= 8) std::memcpy(length_bytes, file.data(), 8);
    const std::uint64_t length = safetensors_header_length(length_bytes, file.size());
    return parse_safetensors_header(file.substr(8, length), length, file.size() - 8 - length);
}

SafetensorsHeader read_safetensors_header(const std::string& path) {
    const PositionedFile file(path);
    try {
        unsigned char length_bytes[8] = {};
        if (file.size() >= 8) file.read_exact(0, 8, length_bytes, "header length");
        const std::uint64_t length = safetensors_header_length(length_bytes, file.size());
        std::string text(length, '\0');
        file.read_exact(8, length, text.data(), "header");
        return parse_safetensors_header(text, length, file.size() - 8 - length);
    } catch (const InputError& e) {
        if (std::string_view(e.what()).rfind(path, 0) == 0) throw;  // read_exact names the file itself
        throw InputError(path + ": " + e.what());
    }
}

}  // namespace ctscale::import
