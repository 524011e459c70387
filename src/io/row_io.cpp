#include "ctscale/io/row_io.hpp"

#include <algorithm>

#include "ctscale/hdf5/file.hpp"
#include "ctscale/util/checked.hpp"

namespace ctscale::io {
namespace {

struct Selection {
    hdf5::Handle file_space;
    hdf5::Handle memory_space;
};

Selection select_rows(hid_t dataset, std::int64_t first, std::int64_t count, std::int64_t cols) {
    Selection s{hdf5::dataspace(H5Dget_space(dataset), "H5Dget_space"), {}};
    const int rank = H5Sget_simple_extent_ndims(s.file_space);
    // The memory space has the shape of the file selection: with equal shapes HDF5 maps
    // chunks by hyperslab arithmetic instead of iterating over every element.
    hsize_t start[2] = {static_cast<hsize_t>(first), 0};
    hsize_t extent[2] = {static_cast<hsize_t>(count), static_cast<hsize_t>(cols)};
    if (rank == 1) {
        start[0] = static_cast<hsize_t>(util::checked_mul(first, cols, "row selection"));
        extent[0] = static_cast<hsize_t>(util::checked_mul(count, cols, "row selection"));
    }
    // A zero-sized simple dataspace is not allowed: use one element and select none.
    hsize_t memory_dims[2] = {std::max<hsize_t>(extent[0], 1), std::max<hsize_t>(extent[1], 1)};
    s.memory_space = hdf5::dataspace(H5Screate_simple(rank, memory_dims, nullptr), "H5Screate_simple");
    if (count == 0) {
        hdf5::check(H5Sselect_none(s.file_space), "H5Sselect_none");
        hdf5::check(H5Sselect_none(s.memory_space), "H5Sselect_none");
        return s;
    }
    hdf5::check(H5Sselect_hyperslab(s.file_space, H5S_SELECT_SET, start, nullptr, extent, nullptr),
                "H5Sselect_hyperslab");
    return s;
}

}  // namespace

void read_rows(hid_t dataset, hid_t memory_type, std::int64_t first, std::int64_t count, std::int64_t cols, void* out,
               hid_t transfer) {
    Selection s = select_rows(dataset, first, count, cols);
    hdf5::check(H5Dread(dataset, memory_type, s.memory_space, s.file_space, transfer, out), "H5Dread");
}

void read_rows(hid_t dataset, hid_t memory_type, std::int64_t first, std::int64_t count, std::int64_t cols, void* out) {
    read_rows(dataset, memory_type, first, count, cols, out, hdf5::collective_transfer());
}

void write_rows(hid_t dataset, hid_t memory_type, std::int64_t first, std::int64_t count, std::int64_t cols,
                const void* in) {
    Selection s = select_rows(dataset, first, count, cols);
    hdf5::Handle transfer = hdf5::collective_transfer();
    hdf5::check(H5Dwrite(dataset, memory_type, s.memory_space, s.file_space, transfer, in), "H5Dwrite");
}

}  // namespace ctscale::io
