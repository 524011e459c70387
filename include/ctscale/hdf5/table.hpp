#pragma once
/// Column-built compound tables: what pandas loads with
/// `pandas.DataFrame(h5py.File(f)["summary/fits"][()])`. Strings are variable-length UTF-8.
#include <hdf5.h>

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace ctscale::hdf5 {

class Table {
public:
    using Column = std::variant<std::vector<double>, std::vector<std::int64_t>, std::vector<std::int32_t>,
                                std::vector<std::int8_t>, std::vector<std::string>>;

    /// Adds a column; every column must have the same length.
    Table& add(std::string name, Column values);
    std::size_t rows() const noexcept;
    /// Writes the table as a 1-D compound dataset `name` under `parent`.
    void write(hid_t parent, const std::string& name) const;

private:
    std::vector<std::pair<std::string, Column>> columns_;
};

/// 1-D dataset of doubles, stored as float32 when `as_float32` (per-row R²).
void write_vector(hid_t parent, const std::string& name, const std::vector<double>& values, bool as_float32 = false);
/// Row-major rows×cols dataset of doubles.
void write_matrix(hid_t parent, const std::string& name, const std::vector<double>& values, std::size_t rows,
                  std::size_t cols);

}  // namespace ctscale::hdf5
