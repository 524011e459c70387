#pragma once
/// The `ctscale.tokens` v1 file (hdf5_schemas/README.md), the one reader and writer of the format.
/// Reading validates on every rank alike and gives each rank its contiguous slice of the
/// stream (the docs/computation.md row partition of the token positions); writing is
/// collective; both use parallel HDF5.
#include <boost/mpi/communicator.hpp>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "ctscale/hdf5/file.hpp"
#include "ctscale/hdf5/handle.hpp"
#include "ctscale/io/partition.hpp"

namespace ctscale::io {

struct TokenFileInfo {
    std::string path;
    std::string tokenizer;
    std::string source;
    std::int64_t vocab_size = 0;                 ///< the file's attribute: ids lie in [0, vocab_size)
    std::int64_t length = 0;                     ///< T, tokens in the stream (as read: maybe a prefix)
    std::int64_t file_length = 0;                ///< tokens in the file (≥ length)
    std::vector<std::int64_t> document_offsets;  ///< empty without /document_offsets
};

/// This rank's positions [first, first + count) of the stream and the token that follows them.
struct TokenSlice {
    TokenFileInfo file;
    RowPartition partition;             ///< over the T positions
    std::vector<std::uint32_t> tokens;  ///< partition.count() ids
    std::int64_t next = -1;             ///< id at position first + count (from the next rank), −1 at the end
};

/// Collective over `comm` (each rank opens the file on its own and reads its slice; the
/// checks are agreed). Checks the schema attributes, that /tokens is a non-empty 1-D
/// integer dataset whose ids lie in [0, vocab_size) (else the error names the first bad
/// position and its value), and that /document_offsets, if present, is 1-D, integer,
/// strictly increasing and within [0, T]. Every rank throws the same InputError, which
/// names the file and dataset. Reads in blocks of `block_tokens` (bounded memory), and
/// only the first `max_tokens` positions (a prefix, for --dry-run's calibration).
TokenSlice read_token_slice(const std::string& path, const boost::mpi::communicator& comm,
                            std::int64_t block_tokens = std::int64_t{1} << 22,
                            std::int64_t max_tokens = std::numeric_limits<std::int64_t>::max());

/// The bigram (t_s, t_{s+1}) of position s is kept unless s + 1 is a document offset:
/// flags[k] is true when position first + k + 1 starts a document (k in [0, count)).
std::vector<bool> document_breaks(const std::vector<std::int64_t>& offsets, std::int64_t first, std::int64_t count);

/// What a writer records about a stream besides its ids.
struct TokenStreamHeader {
    std::int64_t vocab_size = 0;  ///< ids lie in [0, vocab_size); ≤ 65536 stores uint16, else uint32
    std::string tokenizer;
    std::string source;
};

/// Writes a `ctscale.tokens` file. Every call is collective over the communicator given at
/// creation; each rank passes its own (possibly empty) range of positions.
class TokenStreamWriter {
public:
    /// Creates `path` with the schema attributes, /tokens of `length` ids and, when
    /// `documents` > 0, /document_offsets of that many entries.
    TokenStreamWriter(const std::string& path, const TokenStreamHeader& header, std::int64_t length,
                      std::int64_t documents, const boost::mpi::communicator& comm);
    /// Ids at positions [first, first + count).
    void write_tokens(std::int64_t first, std::int64_t count, const std::uint32_t* ids);
    /// Document offsets [first, first + count) (only with documents > 0).
    void write_document_offsets(std::int64_t first, std::int64_t count, const std::int64_t* offsets);
    /// Closes the datasets, then the file (the MPI-IO driver refuses a file with open objects).
    void close();

    /// "uint16" or "uint32": how ids of a vocabulary of this size are stored.
    static const char* stored_type_name(std::int64_t vocab_size);

private:
    hdf5::File file_;
    hdf5::Handle tokens_;
    hdf5::Handle offsets_;
};

}  // namespace ctscale::io
