#pragma once
/// Token files into `ctscale.tokens` (hdf5_schemas/README.md): raw little-endian uint16/uint32, or .npy
/// of integer ids in C order (any shape, flattened). Every id is checked against the
/// vocabulary before the output is created; the ids are split over the ranks and written
/// with collective writes.
#include <boost/mpi/communicator.hpp>
#include <cstdint>
#include <string>

namespace ctscale::import {

struct TokenSource {
    std::string path;
    std::string description;  ///< for provenance: "raw uint16", ".npy <i8"
    unsigned element_bytes = 2;
    bool is_signed = false;
    std::uint64_t data_offset = 0;
    std::int64_t count = 0;
};

/// A raw little-endian file of `dtype` ("uint16" or "uint32"). Throws InputError when its
/// size is not a multiple of the element size.
TokenSource open_raw_tokens(const std::string& path, const std::string& dtype);
/// A .npy file of '<u2', '<u4', '<u8', '<i2', '<i4', '<i8' or '|u1' ids in C order.
TokenSource open_npy_tokens(const std::string& path);

struct TokenImportSettings {
    std::int64_t vocab_size = 0;  ///< 0: inferred as the largest id + 1
    std::string tokenizer = "unknown";
    std::int64_t memory_per_rank = 256 << 20;
};

struct TokenImportSummary {
    std::int64_t tokens = 0;
    std::int64_t vocab_size = 0;
    bool vocab_inferred = false;
    std::string stored_type;  ///< "uint16" or "uint32"
};

/// Collective: checks every id against [0, vocab) (an error names the first bad position),
/// then writes the `ctscale.tokens` file `path`.
TokenImportSummary import_tokens(const TokenSource& source, const std::string& path,
                                 const TokenImportSettings& settings, const boost::mpi::communicator& comm);

}  // namespace ctscale::import
