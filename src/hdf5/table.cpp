#include "ctscale/hdf5/table.hpp"

#include <cstring>

#include "ctscale/error.hpp"
#include "ctscale/hdf5/handle.hpp"

namespace ctscale::hdf5 {
namespace {

struct ColumnLayout {
    hid_t memory_type;  // for numbers: a predefined native type
    std::size_t size;
};

ColumnLayout layout_of(const Table::Column& column) {
    struct Visitor {
        ColumnLayout operator()(const std::vector<double>&) const { return {H5T_NATIVE_DOUBLE, sizeof(double)}; }
        ColumnLayout operator()(const std::vector<std::int64_t>&) const { return {H5T_NATIVE_INT64, 8}; }
        ColumnLayout operator()(const std::vector<std::int32_t>&) const { return {H5T_NATIVE_INT32, 4}; }
        ColumnLayout operator()(const std::vector<std::int8_t>&) const { return {H5T_NATIVE_INT8, 1}; }
        ColumnLayout operator()(const std::vector<std::string>&) const { return {H5I_INVALID_HID, sizeof(char*)}; }
    };
    return std::visit(Visitor{}, column);
}

std::size_t length_of(const Table::Column& column) {
    return std::visit([](const auto& values) { return values.size(); }, column);
}

Handle string_type() {
    Handle type = datatype(H5Tcopy(H5T_C_S1), "H5Tcopy");
    check(H5Tset_size(type, H5T_VARIABLE), "H5Tset_size");
    check(H5Tset_cset(type, H5T_CSET_UTF8), "H5Tset_cset");
    return type;
}

void write_dataset(hid_t parent, const std::string& name, hid_t file_type, hid_t memory_type, int rank,
                   const hsize_t* dims, const void* data) {
    Handle space = dataspace(H5Screate_simple(rank, dims, nullptr), "H5Screate_simple");
    Handle dataset(H5Dcreate2(parent, name.c_str(), file_type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose,
                   "cannot create dataset '" + name + "'");
    check(H5Dwrite(dataset, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "cannot write dataset '" + name + "'");
}

}  // namespace

Table& Table::add(std::string name, Column values) {
    if (!columns_.empty() && length_of(values) != rows()) {
        throw Error("internal: table column '" + name + "' has a different length");
    }
    columns_.emplace_back(std::move(name), std::move(values));
    return *this;
}

std::size_t Table::rows() const noexcept { return columns_.empty() ? 0 : length_of(columns_.front().second); }

void Table::write(hid_t parent, const std::string& name) const {
    std::size_t record = 0;
    std::vector<std::size_t> offsets;
    for (const auto& [column_name, column] : columns_) {
        offsets.push_back(record);
        record += layout_of(column).size;
    }
    Handle strings = string_type();
    Handle compound = datatype(H5Tcreate(H5T_COMPOUND, record), "H5Tcreate");
    std::vector<unsigned char> buffer(record * rows());
    for (std::size_t c = 0; c < columns_.size(); ++c) {
        const auto& [column_name, column] = columns_[c];
        ColumnLayout layout = layout_of(column);
        hid_t member = layout.memory_type == H5I_INVALID_HID ? strings.id() : layout.memory_type;
        check(H5Tinsert(compound, column_name.c_str(), offsets[c], member), "H5Tinsert '" + column_name + "'");
        std::visit(
            [&](const auto& values) {
                for (std::size_t r = 0; r < values.size(); ++r) {
                    unsigned char* cell = buffer.data() + r * record + offsets[c];
                    if constexpr (std::is_same_v<std::decay_t<decltype(values)>, std::vector<std::string>>) {
                        const char* text = values[r].c_str();
                        std::memcpy(cell, &text, sizeof text);
                    } else {
                        std::memcpy(cell, &values[r], sizeof values[r]);
                    }
                }
            },
            column);
    }
    hsize_t dims = rows();
    write_dataset(parent, name, compound, compound, 1, &dims, buffer.data());
}

void write_vector(hid_t parent, const std::string& name, const std::vector<double>& values, bool as_float32) {
    hsize_t dims = values.size();
    write_dataset(parent, name, as_float32 ? H5T_IEEE_F32LE : H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, &dims,
                  values.data());
}

void write_matrix(hid_t parent, const std::string& name, const std::vector<double>& values, std::size_t rows,
                  std::size_t cols) {
    hsize_t dims[2] = {rows, cols};
    write_dataset(parent, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, dims, values.data());
}

}  // namespace ctscale::hdf5
