#pragma once
/// HDF5 files opened through the MPI-IO driver (collective metadata) or, for files only
/// rank 0 touches, the default serial driver.
#include <mpi.h>

#include <cstdint>
#include <string>

#include "ctscale/hdf5/handle.hpp"

namespace ctscale::hdf5 {

class File {
public:
    /// Collective over `comm`: read-only, MPI-IO driver, collective metadata reads.
    static File open_parallel(const std::string& path, MPI_Comm comm);
    /// Collective over `comm`: creates (truncates) with the MPI-IO driver.
    static File create_parallel(const std::string& path, MPI_Comm comm);
    static File open_serial(const std::string& path);
    static File create_serial(const std::string& path);
    /// A file that lives in memory only (core driver without backing store); `name`
    /// labels it in messages. Its bytes come from image(). Memory grows by `increment`
    /// bytes at a time (the core driver zeroes each step, so a large step costs page faults
    /// for memory never used (BENCHMARKS.md, "Design measurements"); glibc grows large
    /// blocks with mremap, so small steps copy nothing).
    static File create_in_memory(const std::string& name, std::size_t increment = std::size_t{1} << 20);
    /// Opens a copy of `bytes` (a whole HDF5 file, e.g. from image()) read-only in memory,
    /// through the same decoding as a file on disk; `name` labels it in messages.
    static File open_image(const std::string& bytes, const std::string& name);

    const std::string& path() const noexcept { return path_; }
    hid_t id() const noexcept { return handle_.id(); }
    operator hid_t() const noexcept { return handle_.id(); }  // NOLINT
    /// Flushes and closes, reporting failures (a close can be where a full disk shows up).
    void close();
    /// The complete file as bytes (flushed first): for in-memory files.
    std::string image();
    /// The data-transfer property list for this file's datasets: collective for MPI-IO
    /// files, the default for serial and in-memory ones (HDF5 refuses collective there).
    Handle transfer() const;

private:
    File(Handle handle, std::string path, bool parallel = false)
        : handle_(std::move(handle)), path_(std::move(path)), parallel_(parallel) {}
    Handle handle_;
    std::string path_;
    bool parallel_;
};

/// Data-transfer property list for collective MPI-IO reads and writes.
Handle collective_transfer();

Handle open_group(hid_t parent, const std::string& name);
Handle create_group(hid_t parent, const std::string& name);
Handle open_dataset(hid_t parent, const std::string& name);
bool link_exists(hid_t parent, const std::string& name);
/// A contiguous 1-D dataset of `length` elements of `type` (token streams, offsets).
Handle create_dataset_1d(hid_t parent, const std::string& name, hid_t type, std::int64_t length);

}  // namespace ctscale::hdf5
