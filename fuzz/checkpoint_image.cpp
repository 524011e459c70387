#include "checkpoint_image.hpp"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "ctscale/error.hpp"
#include "ctscale/hdf5/attributes.hpp"
#include "ctscale/hdf5/file.hpp"
#include "ctscale/io/dtype.hpp"

namespace ctscale::fuzz {
namespace {

using hdf5::check;
using hdf5::Handle;

Handle vlen_string_type(H5T_cset_t cset) {
    Handle type = hdf5::datatype(H5Tcopy(H5T_C_S1), "H5Tcopy");
    check(H5Tset_size(type, H5T_VARIABLE), "H5Tset_size");
    check(H5Tset_cset(type, cset), "H5Tset_cset");
    return type;
}

void write_attribute(hid_t object, const std::string& name, hid_t type, hid_t space, const void* data) {
    Handle attribute(H5Acreate2(object, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
                     "H5Acreate2 " + name);
    if (data) check(H5Awrite(attribute, type, data), "H5Awrite " + name);
}

Handle simple_space(hsize_t length) { return hdf5::dataspace(H5Screate_simple(1, &length, nullptr), "H5Screate"); }

void add_attribute(hid_t object, const std::string& name, const AttrSpec& a) {
    const Handle scalar = hdf5::dataspace(H5Screate(H5S_SCALAR), "H5Screate");
    switch (a.form) {
        case AttrForm::absent:
        case AttrForm::count: return;
        case AttrForm::expected:
            if (is_integer_attribute(name))
                hdf5::write_attribute(object, name, a.number);
            else
                hdf5::write_attribute(object, name, a.text);
            return;
        case AttrForm::vlen_text: {  // UTF-8 as ctscale writes, or ASCII as C tools do by default
            const char* text = a.text.c_str();
            write_attribute(object, name, vlen_string_type(a.width ? H5T_CSET_ASCII : H5T_CSET_UTF8), scalar, &text);
            return;
        }
        case AttrForm::fixed_text: {
            Handle type = hdf5::datatype(H5Tcopy(H5T_C_S1), "H5Tcopy");
            check(H5Tset_size(type, std::max<std::size_t>(1, a.text.size())), "H5Tset_size");
            const std::string padded = a.text.empty() ? std::string(1, '\0') : a.text;
            write_attribute(object, name, type, scalar, padded.data());
            return;
        }
        case AttrForm::int64: hdf5::write_attribute(object, name, a.number); return;
        case AttrForm::narrow_int: {
            const std::int8_t i8 = static_cast<std::int8_t>(a.number);
            const std::uint16_t u16 = static_cast<std::uint16_t>(a.number);
            const std::int32_t i32 = static_cast<std::int32_t>(a.number);
            if (a.width == 0) write_attribute(object, name, H5T_NATIVE_INT8, scalar, &i8);
            if (a.width == 1) write_attribute(object, name, H5T_NATIVE_UINT16, scalar, &u16);
            if (a.width == 2) write_attribute(object, name, H5T_NATIVE_INT32, scalar, &i32);
            return;
        }
        case AttrForm::real: hdf5::write_attribute(object, name, static_cast<double>(a.number) + 0.5); return;
        case AttrForm::text_array: {
            const char* both[2] = {a.text.c_str(), a.text.c_str()};
            write_attribute(object, name, vlen_string_type(H5T_CSET_UTF8), simple_space(2), both);
            return;
        }
        case AttrForm::int_array: hdf5::write_attribute(object, name, std::vector<std::int64_t>(3, a.number)); return;
        case AttrForm::null_space:
            write_attribute(object, name, H5T_NATIVE_INT64, hdf5::dataspace(H5Screate(H5S_NULL), "H5Screate"), nullptr);
            return;
        case AttrForm::empty_array: hdf5::write_attribute(object, name, std::vector<std::int64_t>{}); return;
    }
}

/// The stored ctscale type of a float element type that io::hdf5_type describes.
bool stored_type(ElementType type, io::StoredType& out) {
    switch (type) {
        case ElementType::f32: out = io::StoredType::f32; return true;
        case ElementType::f64: out = io::StoredType::f64; return true;
        case ElementType::f16: out = io::StoredType::f16; return true;
        case ElementType::bf16: out = io::StoredType::bf16; return true;
        default: return false;
    }
}

Handle element_type(ElementType type) {
    io::StoredType stored{};
    if (stored_type(type, stored)) return io::hdf5_type(stored);
    switch (type) {
        case ElementType::f32_big_endian: return hdf5::datatype(H5Tcopy(H5T_IEEE_F32BE), "H5Tcopy");
        case ElementType::int32: return hdf5::datatype(H5Tcopy(H5T_STD_I32LE), "H5Tcopy");
        case ElementType::text: return vlen_string_type(H5T_CSET_UTF8);
        case ElementType::compound: {
            Handle pair = hdf5::datatype(H5Tcreate(H5T_COMPOUND, 8), "H5Tcreate");
            check(H5Tinsert(pair, "a", 0, H5T_IEEE_F32LE), "H5Tinsert");
            check(H5Tinsert(pair, "b", 4, H5T_IEEE_F32LE), "H5Tinsert");
            return pair;
        }
        case ElementType::odd_f16: {  // IEEE half's fields with another exponent bias
            Handle odd = hdf5::datatype(H5Tcopy(H5T_IEEE_F32LE), "H5Tcopy");
            check(H5Tset_fields(odd, 15, 10, 5, 0, 10), "H5Tset_fields");
            check(H5Tset_size(odd, 2), "H5Tset_size");
            check(H5Tset_ebias(odd, 14), "H5Tset_ebias");
            return odd;
        }
        default: return hdf5::datatype(H5Tcopy(H5T_NATIVE_LDOUBLE), "H5Tcopy");
    }
}

Handle entry_space(const EntrySpec& e) {
    if (e.space == SpaceForm::scalar) return hdf5::dataspace(H5Screate(H5S_SCALAR), "H5Screate");
    if (e.space == SpaceForm::null) return hdf5::dataspace(H5Screate(H5S_NULL), "H5Screate");
    return hdf5::dataspace(H5Screate_simple(static_cast<int>(e.dims.size()), e.dims.data(), nullptr), "H5Screate");
}

/// Large declared shapes cost nothing: chunked, never written. Chunks of up to 256 per
/// dimension stay under HDF5's 4 GiB chunk limit and keep 1-D chunk counts indexable.
Handle creation_properties(const EntrySpec& e) {
    Handle dcpl = hdf5::property_list(H5P_DATASET_CREATE);
    bool chunked = e.space == SpaceForm::simple && !e.written();
    for (hsize_t d : e.dims) chunked = chunked && d > 0;
    if (chunked) {
        std::vector<hsize_t> chunk;
        for (hsize_t d : e.dims) chunk.push_back(std::min<hsize_t>(d, 256));
        check(H5Pset_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data()), "H5Pset_chunk");
    }
    return dcpl;
}

void add_dataset(hid_t weights, const EntrySpec& e) {
    const Handle type = element_type(e.type);
    const Handle space = entry_space(e);
    const Handle dcpl = creation_properties(e);
    Handle dataset(H5Dcreate2(weights, e.name.c_str(), type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT), H5Dclose,
                   "H5Dcreate2 " + e.name);
    if (e.written()) {
        io::StoredType stored{};
        if (stored_type(e.type, stored)) {
            std::vector<unsigned char> raw(e.values.size() * io::bytes_of(stored));
            io::from_double(stored, e.values.data(), raw.data(), e.values.size());
            check(H5Dwrite(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()), "H5Dwrite");
        } else {
            check(H5Dwrite(dataset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, e.values.data()), "H5Dwrite");
        }
    }
    add_attribute(dataset, "layer", e.layer);
    add_attribute(dataset, "kind", e.kind);
    add_attribute(dataset, "transposed", e.transposed);
}

void add_entry(hid_t weights, const EntrySpec& e) {
    switch (e.form) {
        case EntryForm::group: hdf5::create_group(weights, e.name); return;
        case EntryForm::dangling_link:
            check(H5Lcreate_soft("/nowhere", weights, e.name.c_str(), H5P_DEFAULT, H5P_DEFAULT), "H5Lcreate_soft");
            return;
        default: add_dataset(weights, e); return;
    }
}

}  // namespace

std::string build_checkpoint_image(const CheckpointSpec& spec) {
    hdf5::File file = hdf5::File::create_in_memory("fuzz-build.h5", std::size_t{64} << 10);
    for (std::size_t i = 0; i < spec.root.size(); ++i) add_attribute(file, root_attribute_names[i], spec.root[i]);
    switch (spec.weights) {
        case WeightsForm::group: {
            const Handle weights = hdf5::create_group(file, "weights");
            for (const EntrySpec& e : spec.entries) add_entry(weights, e);
            break;
        }
        case WeightsForm::dataset: {
            EntrySpec stand_in;
            stand_in.name = "weights";
            stand_in.dims = {2, 2};
            stand_in.values.assign(4, 1.0);
            add_dataset(file, stand_in);
            break;
        }
        case WeightsForm::dangling_link:
            check(H5Lcreate_soft("/nowhere", file, "weights", H5P_DEFAULT, H5P_DEFAULT), "H5Lcreate_soft");
            break;
        default: break;
    }
    return file.image();
}

}  // namespace ctscale::fuzz
