#pragma once
/// Typed scalar and vector attributes. Readers throw InputError naming the attribute when
/// it is missing or of the wrong class, so callers only add the file context.
#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ctscale::hdf5 {

bool has_attribute(hid_t object, const std::string& name);
/// Accepts fixed-length and variable-length strings.
std::string read_string_attribute(hid_t object, const std::string& name);
std::int64_t read_int_attribute(hid_t object, const std::string& name);

void write_attribute(hid_t object, const std::string& name, const std::string& value);
void write_attribute(hid_t object, const std::string& name, const char* value);
void write_attribute(hid_t object, const std::string& name, std::int64_t value);
void write_attribute(hid_t object, const std::string& name, std::uint64_t value);
void write_attribute(hid_t object, const std::string& name, double value);
void write_attribute(hid_t object, const std::string& name, const std::vector<std::int64_t>& values);
/// A boolean as an int8 0/1 (what h5py and pandas read as a plain integer).
void write_attribute(hid_t object, const std::string& name, bool value);
/// Overload resolution helper so `int` literals pick the int64 attribute.
inline void write_attribute(hid_t object, const std::string& name, int value) {
    write_attribute(object, name, static_cast<std::int64_t>(value));
}

}  // namespace ctscale::hdf5
