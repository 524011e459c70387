#pragma once
// A checkpoint-shaped HDF5 file described as data, decoded from fuzz bytes: which root
// attributes exist and in what form, what /weights is, and each entry under it (object
// kind, dataspace, dims up to 2^64-2, element type, values with planted NaN/±Inf, and its
// layer/kind/transposed attributes). HDF5 itself is not robust against arbitrary file
// bytes, so the fuzzer mutates this description and builds a well-formed file from it.
#include <hdf5.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "byte_reader.hpp"

namespace ctscale::fuzz {

/// How an attribute is stored. `expected` is the form and value a valid checkpoint has.
enum class AttrForm : std::uint8_t {
    absent,
    expected,
    vlen_text,
    fixed_text,
    int64,
    narrow_int,
    real,
    text_array,
    int_array,
    null_space,
    empty_array,
    count
};

struct AttrSpec {
    AttrForm form = AttrForm::absent;
    std::string text;         ///< vlen_text, fixed_text, text_array, and `expected` strings
    std::int64_t number = 0;  ///< int64, narrow_int (fits the width), real, and `expected` integers
    unsigned width = 0;       ///< narrow_int: 0 int8, 1 uint16, 2 int32; vlen_text: 0 UTF-8, 1 ASCII
};

enum class WeightsForm : std::uint8_t { absent, group, dataset, dangling_link, count };
enum class EntryForm : std::uint8_t { dataset, group, dangling_link, count };
enum class SpaceForm : std::uint8_t { scalar, simple, null, count };
enum class ElementType : std::uint8_t {
    f32,
    f64,
    f16,
    bf16,
    f32_big_endian,
    int32,
    text,
    compound,
    odd_f16,
    long_double,
    count
};

struct EntrySpec {
    std::string name;
    EntryForm form = EntryForm::dataset;
    SpaceForm space = SpaceForm::simple;
    std::vector<hsize_t> dims;  ///< rank 1..3 for `simple`
    ElementType type = ElementType::f32;
    std::vector<double> values;  ///< row-major, only when written() (else the dataset is never written)
    std::size_t nonfinite = 0;   ///< how many of `values` are NaN/±Inf
    AttrSpec layer, kind, transposed;

    std::uint64_t elements() const;  ///< saturating product of dims (1 for scalar, 0 for null)
    /// Small float datasets get values; large or odd ones are declared, never written.
    bool written() const;
};

/// Root attributes in the order of hdf5_schemas/README.md.
inline constexpr std::array<const char*, 8> root_attribute_names{
    "schema", "schema_version", "model_name", "architecture", "d_model", "n_layers", "vocab_size", "source"};
/// Whether a root (or dataset) attribute is an integer in a valid file.
bool is_integer_attribute(const std::string& name);

struct CheckpointSpec {
    std::array<AttrSpec, root_attribute_names.size()> root;
    WeightsForm weights = WeightsForm::group;
    std::vector<EntrySpec> entries;
};

/// Every byte string decodes to a description.
CheckpointSpec decode_checkpoint(ByteReader& in);

}  // namespace ctscale::fuzz
