#include "ctscale/io/dtype.hpp"

#include <cstdint>
#include <cstring>

#include "ctscale/error.hpp"
#include "ctscale/io/float16.hpp"

namespace ctscale::io {
namespace {

struct FloatFields {
    std::size_t sign, exponent_position, exponent_size, mantissa_position, mantissa_size, bias;
    bool operator==(const FloatFields&) const = default;
};

constexpr FloatFields half_fields{15, 10, 5, 0, 10, 15};
constexpr FloatFields bfloat16_fields{15, 7, 8, 0, 7, 127};

hdf5::Handle sixteen_bit_type(const FloatFields& f) {
    hdf5::Handle type = hdf5::datatype(H5Tcopy(H5T_IEEE_F32LE), "H5Tcopy");
    hdf5::check(H5Tset_fields(type, f.sign, f.exponent_position, f.exponent_size, f.mantissa_position, f.mantissa_size),
                "H5Tset_fields");
    hdf5::check(H5Tset_size(type, 2), "H5Tset_size");
    hdf5::check(H5Tset_ebias(type, f.bias), "H5Tset_ebias");
    return type;
}

std::string describe_class(H5T_class_t type_class) {
    switch (type_class) {
        case H5T_INTEGER: return "integer";
        case H5T_STRING: return "string";
        case H5T_COMPOUND: return "compound";
        case H5T_ENUM: return "enum";
        case H5T_ARRAY: return "array";
        case H5T_OPAQUE: return "opaque";
        case H5T_BITFIELD: return "bitfield";
        case H5T_REFERENCE: return "reference";
        case H5T_VLEN: return "variable-length";
        default: return "unknown";
    }
}

}  // namespace

std::string name_of(StoredType type) {
    switch (type) {
        case StoredType::f32: return "f32";
        case StoredType::f64: return "f64";
        case StoredType::f16: return "f16";
        case StoredType::bf16: return "bf16";
    }
    return "?";
}

std::size_t bytes_of(StoredType type) {
    switch (type) {
        case StoredType::f32: return 4;
        case StoredType::f64: return 8;
        default: return 2;
    }
}

StoredType parse_stored_type(const std::string& text) {
    for (StoredType type : {StoredType::f32, StoredType::f64, StoredType::f16, StoredType::bf16}) {
        if (name_of(type) == text) return type;
    }
    throw UsageError("unknown dtype '" + text + "' (expected f32, f64, f16 or bf16)");
}

StoredType classify(hid_t type) {
    H5T_class_t type_class = H5Tget_class(type);
    if (type_class != H5T_FLOAT) {
        throw InputError("dtype is " + describe_class(type_class) + ", expected a floating-point type");
    }
    std::size_t size = H5Tget_size(type);
    if (size == 4) return StoredType::f32;
    if (size == 8) return StoredType::f64;
    if (size == 2) {
        FloatFields fields{};
        H5Tget_fields(type, &fields.sign, &fields.exponent_position, &fields.exponent_size, &fields.mantissa_position,
                      &fields.mantissa_size);
        fields.bias = H5Tget_ebias(type);
        if (fields == half_fields) return StoredType::f16;
        if (fields == bfloat16_fields) return StoredType::bf16;
    }
    throw InputError("unsupported " + std::to_string(8 * size) +
                     "-bit float layout (expected IEEE f32/f64/f16 or bfloat16)");
}

hdf5::Handle hdf5_type(StoredType type) {
    switch (type) {
        case StoredType::f32: return hdf5::datatype(H5Tcopy(H5T_IEEE_F32LE), "H5Tcopy");
        case StoredType::f64: return hdf5::datatype(H5Tcopy(H5T_IEEE_F64LE), "H5Tcopy");
        case StoredType::f16: return sixteen_bit_type(half_fields);
        case StoredType::bf16: return sixteen_bit_type(bfloat16_fields);
    }
    throw Error("internal: unknown stored type");
}

void to_double(StoredType type, const void* raw, double* out, std::size_t count) noexcept {
    if (count == 0) return;  // ranks without rows pass empty (null) buffers: memcpy(null) is UB
    switch (type) {
        case StoredType::f32: {
            const auto* in = static_cast<const float*>(raw);
            for (std::size_t i = 0; i < count; ++i) out[i] = in[i];
            break;
        }
        case StoredType::f64: std::memcpy(out, raw, count * sizeof(double)); break;
        case StoredType::f16: decode_half_array(static_cast<const std::uint16_t*>(raw), out, count); break;
        case StoredType::bf16: decode_bfloat16_array(static_cast<const std::uint16_t*>(raw), out, count); break;
    }
}

void from_double(StoredType type, const double* in, void* raw, std::size_t count) noexcept {
    if (count == 0) return;  // as in to_double
    switch (type) {
        case StoredType::f32: {
            auto* out = static_cast<float*>(raw);
            for (std::size_t i = 0; i < count; ++i) out[i] = static_cast<float>(in[i]);
            break;
        }
        case StoredType::f64: std::memcpy(raw, in, count * sizeof(double)); break;
        case StoredType::f16: {
            auto* out = static_cast<std::uint16_t*>(raw);
            for (std::size_t i = 0; i < count; ++i) out[i] = encode_half(in[i]);
            break;
        }
        case StoredType::bf16: {
            auto* out = static_cast<std::uint16_t*>(raw);
            for (std::size_t i = 0; i < count; ++i) out[i] = encode_bfloat16(in[i]);
            break;
        }
    }
}

}  // namespace ctscale::io
