#include "ctscale/io/token_stream.hpp"

#include <mpi.h>

#include <algorithm>
#include <boost/mpi/collectives.hpp>
#include <filesystem>
#include <limits>
#include <optional>

#include "ctscale/error.hpp"
#include "ctscale/hdf5/attributes.hpp"
#include "ctscale/hdf5/file.hpp"
#include "ctscale/io/row_io.hpp"
#include "ctscale/mpi/collective.hpp"
#include "ctscale/util/checked.hpp"

namespace ctscale::io {
namespace {

constexpr std::int64_t none = std::numeric_limits<std::int64_t>::max();

/// Length of a 1-D integer dataset; throws InputError (without the file name) otherwise.
std::int64_t integer_vector_length(hid_t file, const std::string& name) {
    if (!hdf5::link_exists(file, name)) throw InputError("missing dataset /" + name);
    H5O_info_t object{};
    hdf5::check(H5Oget_info_by_name2(file, name.c_str(), &object, H5O_INFO_BASIC, H5P_DEFAULT), "H5Oget_info");
    if (object.type != H5O_TYPE_DATASET) throw InputError("/" + name + " is not a dataset");
    hdf5::Handle dataset = hdf5::open_dataset(file, name);
    hdf5::Handle type = hdf5::datatype(H5Dget_type(dataset), "H5Dget_type");
    if (H5Tget_class(type) != H5T_INTEGER) throw InputError("/" + name + " is not an integer dataset");
    hdf5::Handle space = hdf5::dataspace(H5Dget_space(dataset), "H5Dget_space");
    const int rank = H5Sget_simple_extent_ndims(space);
    if (rank != 1) throw InputError("/" + name + " has rank " + std::to_string(rank) + ", expected 1");
    hsize_t length = 0;
    H5Sget_simple_extent_dims(space, &length, nullptr);
    return util::checked_cast<std::int64_t>(length, "/" + name + " length");
}

TokenFileInfo read_header(hid_t file, const std::string& path) {
    TokenFileInfo info;
    info.path = path;
    const std::string schema = hdf5::read_string_attribute(file, "schema");
    if (schema != "ctscale.tokens") throw InputError("schema is '" + schema + "', expected 'ctscale.tokens'");
    const std::int64_t version = hdf5::read_int_attribute(file, "schema_version");
    if (version != 1) {
        throw InputError("unsupported schema_version " + std::to_string(version) + " (this ctscale reads 1)");
    }
    info.vocab_size = hdf5::read_int_attribute(file, "vocab_size");
    if (info.vocab_size < 1) throw InputError("attribute 'vocab_size' is " + std::to_string(info.vocab_size));
    // Ids are held as uint32 per rank: no tokenizer comes near 2^32 ids.
    if (info.vocab_size > (std::int64_t{1} << 32)) {
        throw InputError("vocab_size " + std::to_string(info.vocab_size) + " above 2^32 is not supported");
    }
    info.tokenizer = hdf5::read_string_attribute(file, "tokenizer");
    info.source = hdf5::read_string_attribute(file, "source");
    info.length = integer_vector_length(file, "tokens");
    if (info.length == 0) throw InputError("/tokens is empty (an empty token stream)");
    return info;
}

/// Every rank reads the whole (small) offsets vector and checks it alike.
std::vector<std::int64_t> read_offsets(hid_t file, std::int64_t tokens) {
    if (!hdf5::link_exists(file, "document_offsets")) return {};
    const std::int64_t n = integer_vector_length(file, "document_offsets");
    std::vector<std::int64_t> offsets(static_cast<std::size_t>(std::max<std::int64_t>(n, 1)));
    hdf5::Handle dataset = hdf5::open_dataset(file, "document_offsets");
    read_rows(dataset, H5T_NATIVE_INT64, 0, n, 1, offsets.data(), hdf5::property_list(H5P_DATASET_XFER));
    offsets.resize(static_cast<std::size_t>(n));
    for (std::int64_t k = 0; k < n; ++k) {
        if (offsets[k] < 0 || offsets[k] > tokens) {
            throw InputError("/document_offsets: value " + std::to_string(offsets[k]) + " at index " +
                             std::to_string(k) + " is outside [0, " + std::to_string(tokens) + "]");
        }
        if (k > 0 && offsets[k] <= offsets[k - 1]) {
            throw InputError("/document_offsets: not strictly increasing at index " + std::to_string(k) + " (" +
                             std::to_string(offsets[k - 1]) + " then " + std::to_string(offsets[k]) + ")");
        }
    }
    return offsets;
}

/// The first out-of-range id over all ranks, agreed: every rank throws the same error.
void agree_on_bad_ids(std::int64_t first_bad, std::int64_t bad_value, std::int64_t bad_count, const TokenSlice& slice,
                      const boost::mpi::communicator& comm) {
    std::int64_t global_first = none, global_count = 0;
    CTSCALE_MPI(MPI_Allreduce(&first_bad, &global_first, 1, MPI_INT64_T, MPI_MIN, comm));
    if (global_first == none) return;
    CTSCALE_MPI(MPI_Allreduce(&bad_count, &global_count, 1, MPI_INT64_T, MPI_SUM, comm));
    boost::mpi::broadcast(comm, bad_value, slice.partition.owner(global_first));
    throw InputError(slice.file.path + ": /tokens: " + std::to_string(global_count) + " token id(s) outside [0, " +
                     std::to_string(slice.file.vocab_size) + "), first at index " + std::to_string(global_first) +
                     " (value " + std::to_string(bad_value) + ")");
}

/// The id after this rank's last position is the next rank's first: rank r sends its first id
/// to r − 1. Ranks without positions sit at the end of the partition and send −1.
std::int64_t receive_next_token(const TokenSlice& slice, const boost::mpi::communicator& comm) {
    std::int64_t mine = slice.tokens.empty() ? -1 : slice.tokens.front();
    std::int64_t next = -1;
    const int rank = comm.rank();
    const int before = rank > 0 ? rank - 1 : MPI_PROC_NULL;
    const int after = rank + 1 < comm.size() ? rank + 1 : MPI_PROC_NULL;
    CTSCALE_MPI(
        MPI_Sendrecv(&mine, 1, MPI_INT64_T, before, 71, &next, 1, MPI_INT64_T, after, 71, comm, MPI_STATUS_IGNORE));
    return slice.partition.first() + slice.partition.count() < slice.file.length ? next : -1;
}

}  // namespace

TokenSlice read_token_slice(const std::string& path, const boost::mpi::communicator& comm, std::int64_t block_tokens,
                            std::int64_t max_tokens) {
    TokenSlice slice;
    std::optional<hdf5::File> file;
    mpi::all_or_nothing(comm, [&] {
        if (!std::filesystem::exists(path)) throw InputError(path + ": no such file");
        if (H5Fis_hdf5(path.c_str()) <= 0) throw InputError(path + ": not an HDF5 file (or truncated/corrupt)");
    });
    mpi::all_or_nothing(comm, [&] {
        try {
            // Every rank opens the file on its own and reads only its slice: no MPI-IO open
            // or collective reads, whose rounds grow with the rank count.
            file.emplace(hdf5::File::open_serial(path));
            slice.file = read_header(*file, path);
            slice.file.document_offsets = read_offsets(*file, slice.file.length);
            slice.file.file_length = slice.file.length;
            if (slice.file.length > max_tokens) {  // a prefix: the documents that start in it
                slice.file.length = max_tokens;
                std::erase_if(slice.file.document_offsets, [&](std::int64_t o) { return o > max_tokens; });
            }
        } catch (const InputError& e) {
            throw InputError(path + ": " + e.what());
        } catch (const LibraryError& e) {
            throw InputError(path + ": unreadable token file: " + e.what());
        }
    });
    slice.partition = RowPartition{slice.file.length, comm.size(), comm.rank()};
    const SubBlocks blocks = SubBlocks::plan(slice.partition, block_tokens * 8, 8);

    std::int64_t first_bad = none, bad_value = 0, bad_count = 0;
    std::vector<std::int64_t> buffer;
    slice.tokens.reserve(static_cast<std::size_t>(slice.partition.count()));
    mpi::all_or_nothing(comm, [&] {
        hdf5::Handle dataset = hdf5::open_dataset(*file, "tokens");
        const hdf5::Handle independent = file->transfer();
        for (std::int64_t step = 0; step < blocks.steps; ++step) {
            const std::int64_t count = blocks.count(step, slice.partition.count());
            const std::int64_t first = slice.partition.first() + blocks.offset(step);
            buffer.resize(static_cast<std::size_t>(std::max<std::int64_t>(count, 1)));
            try {
                if (count > 0) read_rows(dataset, H5T_NATIVE_INT64, first, count, 1, buffer.data(), independent);
            } catch (const LibraryError& e) {
                throw InputError(path + ": /tokens: read failed: " + e.what());
            }
            for (std::int64_t k = 0; k < count; ++k) {
                const std::int64_t id = buffer[k];
                if (id < 0 || id >= slice.file.vocab_size) {
                    if (first_bad == none) first_bad = first + k, bad_value = id;
                    ++bad_count;
                }
                slice.tokens.push_back(static_cast<std::uint32_t>(id));
            }
        }
    });
    agree_on_bad_ids(first_bad, bad_value, bad_count, slice, comm);
    slice.next = receive_next_token(slice, comm);
    file->close();
    return slice;
}

namespace {

bool stored_narrow(std::int64_t vocab_size) { return vocab_size <= 65536; }

}  // namespace

TokenStreamWriter::TokenStreamWriter(const std::string& path, const TokenStreamHeader& header, std::int64_t length,
                                     std::int64_t documents, const boost::mpi::communicator& comm)
    : file_(hdf5::File::create_parallel(path, comm)) {
    hdf5::write_attribute(file_, "schema", "ctscale.tokens");
    hdf5::write_attribute(file_, "schema_version", std::int64_t{1});
    hdf5::write_attribute(file_, "vocab_size", header.vocab_size);
    hdf5::write_attribute(file_, "tokenizer", header.tokenizer);
    hdf5::write_attribute(file_, "source", header.source);
    tokens_ = hdf5::create_dataset_1d(file_, "tokens", stored_narrow(header.vocab_size) ? H5T_STD_U16LE : H5T_STD_U32LE,
                                      length);
    if (documents > 0) offsets_ = hdf5::create_dataset_1d(file_, "document_offsets", H5T_STD_I64LE, documents);
}

void TokenStreamWriter::write_tokens(std::int64_t first, std::int64_t count, const std::uint32_t* ids) {
    write_rows(tokens_, H5T_NATIVE_UINT32, first, count, 1, ids);
}

void TokenStreamWriter::write_document_offsets(std::int64_t first, std::int64_t count, const std::int64_t* offsets) {
    write_rows(offsets_, H5T_NATIVE_INT64, first, count, 1, offsets);
}

void TokenStreamWriter::close() {
    tokens_ = hdf5::Handle();
    offsets_ = hdf5::Handle();
    file_.close();
}

const char* TokenStreamWriter::stored_type_name(std::int64_t vocab_size) {
    return stored_narrow(vocab_size) ? "uint16" : "uint32";
}

std::vector<bool> document_breaks(const std::vector<std::int64_t>& offsets, std::int64_t first, std::int64_t count) {
    std::vector<bool> breaks(static_cast<std::size_t>(count), false);
    auto it = std::upper_bound(offsets.begin(), offsets.end(), first);  // offsets > first, i.e. s + 1 ≥ first + 1
    for (; it != offsets.end() && *it <= first + count; ++it) breaks[static_cast<std::size_t>(*it - first - 1)] = true;
    return breaks;
}

}  // namespace ctscale::io
