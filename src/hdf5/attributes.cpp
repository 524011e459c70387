#include "ctscale/hdf5/attributes.hpp"

#include <cstdlib>

#include "ctscale/error.hpp"
#include "ctscale/hdf5/handle.hpp"

namespace ctscale::hdf5 {
namespace {

Handle open_attribute(hid_t object, const std::string& name) {
    if (!has_attribute(object, name)) throw InputError("missing attribute '" + name + "'");
    return {H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose, "cannot open attribute '" + name + "'"};
}

Handle variable_string_type(H5T_cset_t cset = H5T_CSET_UTF8) {
    Handle type = datatype(H5Tcopy(H5T_C_S1), "H5Tcopy");
    check(H5Tset_size(type, H5T_VARIABLE), "H5Tset_size");
    check(H5Tset_cset(type, cset), "H5Tset_cset");
    return type;
}

void write_raw(hid_t object, const std::string& name, hid_t type, hid_t space, const void* data) {
    if (has_attribute(object, name)) check(H5Adelete(object, name.c_str()), "H5Adelete '" + name + "'");
    Handle attribute(H5Acreate2(object, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
                     "cannot create attribute '" + name + "'");
    check(H5Awrite(attribute, type, data), "cannot write attribute '" + name + "'");
}

void write_scalar(hid_t object, const std::string& name, hid_t type, const void* data) {
    Handle space = dataspace(H5Screate(H5S_SCALAR), "H5Screate");
    write_raw(object, name, type, space, data);
}

}  // namespace

bool has_attribute(hid_t object, const std::string& name) {
    return check(H5Aexists(object, name.c_str()), "H5Aexists '" + name + "'") > 0;
}

std::string read_string_attribute(hid_t object, const std::string& name) {
    Handle attribute = open_attribute(object, name);
    Handle file_type = datatype(H5Aget_type(attribute), "H5Aget_type");
    Handle space = dataspace(H5Aget_space(attribute), "H5Aget_space");
    // H5Aread fills every element: an array of strings would overrun the one-value buffer.
    if (H5Tget_class(file_type) != H5T_STRING || H5Sget_simple_extent_npoints(space) != 1) {
        throw InputError("attribute '" + name + "' is not a single string");
    }
    if (H5Tis_variable_str(file_type) > 0) {
        // HDF5 converts no variable-length string between ASCII and UTF-8: read as stored.
        Handle memory_type = variable_string_type(H5Tget_cset(file_type));
        char* text = nullptr;
        check(H5Aread(attribute, memory_type, &text), "cannot read attribute '" + name + "'");
        std::string value = text ? text : "";
        std::free(text);  // NOLINT: HDF5 allocated it with malloc
        return value;
    }
    std::size_t size = H5Tget_size(file_type);
    Handle memory_type = datatype(H5Tcopy(H5T_C_S1), "H5Tcopy");
    check(H5Tset_size(memory_type, size), "H5Tset_size");
    std::string value(size, '\0');
    check(H5Aread(attribute, memory_type, value.data()), "cannot read attribute '" + name + "'");
    value.resize(value.find('\0') == std::string::npos ? size : value.find('\0'));
    return value;
}

std::int64_t read_int_attribute(hid_t object, const std::string& name) {
    Handle attribute = open_attribute(object, name);
    Handle file_type = datatype(H5Aget_type(attribute), "H5Aget_type");
    Handle space = dataspace(H5Aget_space(attribute), "H5Aget_space");
    if (H5Tget_class(file_type) != H5T_INTEGER || H5Sget_simple_extent_npoints(space) != 1) {
        throw InputError("attribute '" + name + "' is not an integer scalar");
    }
    std::int64_t value = 0;
    check(H5Aread(attribute, H5T_NATIVE_INT64, &value), "cannot read attribute '" + name + "'");
    return value;
}

void write_attribute(hid_t object, const std::string& name, const std::string& value) {
    write_attribute(object, name, value.c_str());
}

void write_attribute(hid_t object, const std::string& name, const char* value) {
    Handle type = variable_string_type();
    write_scalar(object, name, type, &value);
}

void write_attribute(hid_t object, const std::string& name, std::int64_t value) {
    write_scalar(object, name, H5T_NATIVE_INT64, &value);
}

void write_attribute(hid_t object, const std::string& name, std::uint64_t value) {
    write_scalar(object, name, H5T_NATIVE_UINT64, &value);
}

void write_attribute(hid_t object, const std::string& name, bool value) {
    const std::int8_t flag = value ? 1 : 0;
    write_scalar(object, name, H5T_NATIVE_INT8, &flag);
}

void write_attribute(hid_t object, const std::string& name, double value) {
    write_scalar(object, name, H5T_NATIVE_DOUBLE, &value);
}

void write_attribute(hid_t object, const std::string& name, const std::vector<std::int64_t>& values) {
    hsize_t size = values.size();
    Handle space = dataspace(H5Screate_simple(1, &size, nullptr), "H5Screate_simple");
    const std::int64_t none = 0;  // HDF5 refuses a null buffer, even for zero elements
    write_raw(object, name, H5T_NATIVE_INT64, space, values.empty() ? &none : values.data());
}

}  // namespace ctscale::hdf5
