#pragma once
/// Collective hyperslab I/O of row blocks: every rank calls, ranks with no rows select
/// nothing (parallel HDF5 requires all ranks in a collective transfer).
#include <hdf5.h>

#include <cstdint>

namespace ctscale::io {

/// Reads rows [first, first + count) of the 1-D or 2-D `dataset` (row width `cols`;
/// 1 for 1-D) as `memory_type` into `out`. Collective over the file's communicator.
void read_rows(hid_t dataset, hid_t memory_type, std::int64_t first, std::int64_t count, std::int64_t cols, void* out);
/// The writing counterpart of read_rows.
void write_rows(hid_t dataset, hid_t memory_type, std::int64_t first, std::int64_t count, std::int64_t cols,
                const void* in);
/// read_rows with the transfer property list given (hdf5::File::transfer(): collective
/// only in MPI-IO files, so that serial and in-memory files can be read too).
void read_rows(hid_t dataset, hid_t memory_type, std::int64_t first, std::int64_t count, std::int64_t cols, void* out,
               hid_t transfer);

}  // namespace ctscale::io
