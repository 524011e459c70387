#pragma once
/// The four stored weight types of hdf5_schemas/README.md and their HDF5 descriptions.
#include <hdf5.h>

#include <cstddef>
#include <string>

#include "ctscale/hdf5/handle.hpp"

namespace ctscale::io {

enum class StoredType { f32, f64, f16, bf16 };

std::string name_of(StoredType type);
std::size_t bytes_of(StoredType type);
/// Parses "f32", "f64", "f16" or "bf16".
StoredType parse_stored_type(const std::string& text);

/// Classifies an HDF5 datatype; throws InputError describing it when it is not one of the four.
StoredType classify(hid_t type);

/// The little-endian HDF5 type used to store (and to read raw) values of `type`.
hdf5::Handle hdf5_type(StoredType type);

/// Converts `count` raw stored values to double.
void to_double(StoredType type, const void* raw, double* out, std::size_t count) noexcept;
/// Converts `count` doubles to raw stored values (rounding to nearest).
void from_double(StoredType type, const double* in, void* raw, std::size_t count) noexcept;

}  // namespace ctscale::io
