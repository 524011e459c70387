#include "ctscale/hdf5/file.hpp"

namespace ctscale::hdf5 {
namespace {

Handle mpio_access(MPI_Comm comm) {
    Handle fapl = property_list(H5P_FILE_ACCESS);
    check(H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL), "H5Pset_fapl_mpio");
    check(H5Pset_all_coll_metadata_ops(fapl, true), "H5Pset_all_coll_metadata_ops");
    check(H5Pset_coll_metadata_write(fapl, true), "H5Pset_coll_metadata_write");
    return fapl;
}

}  // namespace

File File::open_parallel(const std::string& path, MPI_Comm comm) {
    Handle fapl = mpio_access(comm);
    return {Handle(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl), H5Fclose, path + ": cannot open"), path, true};
}

File File::create_parallel(const std::string& path, MPI_Comm comm) {
    Handle fapl = mpio_access(comm);
    return {Handle(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl), H5Fclose, path + ": cannot create"), path,
            true};
}

File File::open_serial(const std::string& path) {
    return {Handle(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, path + ": cannot open"), path};
}

File File::create_serial(const std::string& path) {
    return {
        Handle(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose, path + ": cannot create"),
        path};
}

File File::create_in_memory(const std::string& name, std::size_t increment) {
    Handle fapl = property_list(H5P_FILE_ACCESS);
    check(H5Pset_fapl_core(fapl, increment, false), "H5Pset_fapl_core");
    return {Handle(H5Fcreate(name.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl), H5Fclose, name + ": cannot create"),
            name};
}

File File::open_image(const std::string& bytes, const std::string& name) {
    Handle fapl = property_list(H5P_FILE_ACCESS);
    check(H5Pset_fapl_core(fapl, std::size_t{64} << 10, false), "H5Pset_fapl_core");
    // HDF5 copies the buffer (no H5LT callbacks), so `bytes` need not outlive the file.
    check(H5Pset_file_image(fapl, const_cast<char*>(bytes.data()), bytes.size()), "H5Pset_file_image");
    return {Handle(H5Fopen(name.c_str(), H5F_ACC_RDONLY, fapl), H5Fclose, name + ": cannot open"), name};
}

std::string File::image() {
    check(H5Fflush(handle_, H5F_SCOPE_LOCAL), path_ + ": flush failed");
    const ssize_t size = H5Fget_file_image(handle_, nullptr, 0);
    check(size, path_ + ": cannot get the file image");
    std::string bytes(static_cast<std::size_t>(size), '\0');
    check(H5Fget_file_image(handle_, bytes.data(), bytes.size()), path_ + ": cannot get the file image");
    return bytes;
}

void File::close() {
    if (!handle_.valid()) return;
    check(H5Fflush(handle_, H5F_SCOPE_LOCAL), path_ + ": flush failed");
    handle_.close(path_ + ": close failed");
}

Handle File::transfer() const { return parallel_ ? collective_transfer() : property_list(H5P_DATASET_XFER); }

Handle collective_transfer() {
    Handle dxpl = property_list(H5P_DATASET_XFER);
    check(H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE), "H5Pset_dxpl_mpio");
    return dxpl;
}

Handle open_group(hid_t parent, const std::string& name) {
    return {H5Gopen2(parent, name.c_str(), H5P_DEFAULT), H5Gclose, "cannot open group '" + name + "'"};
}

Handle create_group(hid_t parent, const std::string& name) {
    return {H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose,
            "cannot create group '" + name + "'"};
}

Handle open_dataset(hid_t parent, const std::string& name) {
    return {H5Dopen2(parent, name.c_str(), H5P_DEFAULT), H5Dclose, "cannot open dataset '" + name + "'"};
}

Handle create_dataset_1d(hid_t parent, const std::string& name, hid_t type, std::int64_t length) {
    const auto dims = static_cast<hsize_t>(length);
    Handle space = dataspace(H5Screate_simple(1, &dims, nullptr), "H5Screate_simple");
    return {H5Dcreate2(parent, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose,
            "cannot create dataset /" + name};
}

bool link_exists(hid_t parent, const std::string& name) {
    return check(H5Lexists(parent, name.c_str(), H5P_DEFAULT), "H5Lexists '" + name + "'") > 0;
}

}  // namespace ctscale::hdf5
