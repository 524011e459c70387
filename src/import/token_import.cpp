#include "ctscale/import/token_import.hpp"

#include <boost/mpi/collectives.hpp>
#include <limits>
#include <memory>
#include <vector>

#include "ctscale/error.hpp"
#include "ctscale/import/npy.hpp"
#include "ctscale/import/positioned_file.hpp"
#include "ctscale/io/partition.hpp"
#include "ctscale/io/token_stream.hpp"
#include "ctscale/mpi/collective.hpp"
#include "ctscale/util/checked.hpp"

#ifndef CTSCALE_VERSION
#define CTSCALE_VERSION "unknown"
#endif

namespace ctscale::import {
namespace {

constexpr std::int64_t no_position = std::numeric_limits<std::int64_t>::max();
constexpr std::uint64_t uint32_ids = std::uint64_t{1} << 32;

/// One id, decoded from little-endian bytes whatever the host order.
struct Id {
    std::uint64_t bits = 0;
    bool negative = false;
    std::string text() const {
        return negative ? std::to_string(static_cast<std::int64_t>(bits)) : std::to_string(bits);
    }
};

Id decode(const TokenSource& source, const unsigned char* raw) {
    Id id;
    for (unsigned b = source.element_bytes; b-- > 0;) id.bits = (id.bits << 8) | raw[b];
    const unsigned width = 8 * source.element_bytes;
    if (source.is_signed && (id.bits >> (width - 1)) & 1) {
        id.negative = true;
        if (width < 64) id.bits |= ~std::uint64_t{0} << width;  // sign-extend
    }
    return id;
}

/// Calls `visit(first_token, count, bytes)` for this rank's ids in sub-blocks; every rank
/// takes the same number of steps, and each read is agreed before `visit` runs.
template <typename Visit>
void for_each_block(const TokenSource& source, const PositionedFile& file, std::int64_t memory_per_rank,
                    const boost::mpi::communicator& comm, Visit&& visit) {
    const io::RowPartition partition{source.count, comm.size(), comm.rank()};
    const io::SubBlocks blocks = io::SubBlocks::plan(partition, memory_per_rank, source.element_bytes + 4);
    std::vector<unsigned char> raw;
    for (std::int64_t step = 0; step < blocks.steps; ++step) {
        const std::int64_t count = blocks.count(step, partition.count());
        const std::int64_t first = partition.first() + blocks.offset(step);
        raw.resize(static_cast<std::size_t>(count) * source.element_bytes);
        mpi::all_or_nothing(comm, [&] {
            if (count > 0) {
                file.read_exact(source.data_offset + static_cast<std::uint64_t>(first) * source.element_bytes,
                                raw.size(), raw.data(), "token ids");
            }
        });
        visit(first, count, raw.data());
    }
}

}  // namespace

TokenSource open_raw_tokens(const std::string& path, const std::string& dtype) {
    TokenSource source;
    source.path = path;
    source.description = "raw little-endian " + dtype;
    source.element_bytes = dtype == "uint16" ? 2 : 4;
    const PositionedFile file(path);
    if (file.size() % source.element_bytes != 0) {
        throw InputError(path + ": size " + std::to_string(file.size()) + " bytes is not a multiple of " +
                         std::to_string(source.element_bytes) + " (" + dtype + " ids); wrong --token-dtype?");
    }
    source.count = static_cast<std::int64_t>(file.size() / source.element_bytes);
    return source;
}

TokenSource open_npy_tokens(const std::string& path) {
    const NpyHeader header = read_npy_header(path);
    TokenSource source;
    source.path = path;
    source.description = ".npy " + header.descr;
    const std::string& d = header.descr;
    if (d == "|u1" || d == "<u1" || d == "<u2" || d == "<u4" || d == "<u8") {
        source.is_signed = false;
    } else if (d == "<i2" || d == "<i4" || d == "<i8") {
        source.is_signed = true;
    } else {
        throw InputError(path + ": unsupported .npy dtype '" + d +
                         "' (token ids must be little-endian integers: <u2, <u4, <u8, <i2, <i4, <i8 or |u1)");
    }
    source.element_bytes = static_cast<unsigned>(d[2] - '0');
    if (header.fortran_order && header.shape.size() > 1) {
        throw InputError(path + ": the array is in Fortran order; save it in C order (np.ascontiguousarray)");
    }
    source.data_offset = header.data_offset;
    source.count = header.elements();
    const PositionedFile file(path);
    const std::string what = path + ": .npy data of " + std::to_string(source.count) + " ids";
    const std::uint64_t needed = util::checked_add(
        source.data_offset,
        util::checked_mul(static_cast<std::uint64_t>(source.count), std::uint64_t{source.element_bytes}, what), what);
    if (file.size() < needed) {
        throw InputError(path + ": truncated: the header promises " + std::to_string(source.count) + " ids (" +
                         std::to_string(needed) + " bytes) but the file has " + std::to_string(file.size()));
    }
    return source;
}

TokenImportSummary import_tokens(const TokenSource& source, const std::string& path,
                                 const TokenImportSettings& settings, const boost::mpi::communicator& comm) {
    if (source.count == 0) throw InputError(source.path + ": no token ids (empty stream)");
    std::unique_ptr<PositionedFile> file;
    mpi::all_or_nothing(comm, [&] { file = std::make_unique<PositionedFile>(source.path); });

    // Pass 1: every id in range, before any output exists.
    const std::uint64_t limit = settings.vocab_size > 0 ? static_cast<std::uint64_t>(settings.vocab_size) : uint32_ids;
    std::int64_t first_bad = no_position;
    std::string bad_text;
    std::uint64_t largest = 0;
    for_each_block(source, *file, settings.memory_per_rank, comm,
                   [&](std::int64_t first, std::int64_t count, const unsigned char* raw) {
                       for (std::int64_t i = 0; i < count && first_bad == no_position; ++i) {
                           const Id id = decode(source, raw + i * source.element_bytes);
                           if (id.negative || id.bits >= limit) {
                               first_bad = first + i;
                               bad_text = id.text();
                           } else if (id.bits > largest) {
                               largest = id.bits;
                           }
                       }
                   });
    const std::int64_t global_bad = boost::mpi::all_reduce(comm, first_bad, boost::mpi::minimum<std::int64_t>());
    if (global_bad != no_position) {
        const io::RowPartition partition{source.count, comm.size(), comm.rank()};
        boost::mpi::broadcast(comm, bad_text, partition.owner(global_bad));
        const std::string range =
            settings.vocab_size > 0 ? "[0, " + std::to_string(settings.vocab_size) + ")" : "[0, 2^32)";
        throw InputError(source.path + ": token id " + bad_text + " at position " + std::to_string(global_bad) +
                         " is outside " + range);
    }
    TokenImportSummary summary;
    summary.tokens = source.count;
    summary.vocab_inferred = settings.vocab_size == 0;
    summary.vocab_size = settings.vocab_size > 0
                             ? settings.vocab_size
                             : static_cast<std::int64_t>(
                                   boost::mpi::all_reduce(comm, largest, boost::mpi::maximum<std::uint64_t>()) + 1);
    summary.stored_type = io::TokenStreamWriter::stored_type_name(summary.vocab_size);

    // Pass 2: the file.
    std::unique_ptr<io::TokenStreamWriter> out;
    mpi::all_or_nothing(comm, [&] {
        try {
            const io::TokenStreamHeader header{summary.vocab_size, settings.tokenizer,
                                               std::string("ctscale-import ") + CTSCALE_VERSION + " from " +
                                                   source.path + " (" + source.description + ")"};
            out = std::make_unique<io::TokenStreamWriter>(path, header, source.count, 0, comm);
        } catch (const LibraryError& e) {
            throw InputError(path + ": cannot create: " + e.what());
        }
    });
    std::vector<std::uint32_t> ids;
    for_each_block(source, *file, settings.memory_per_rank, comm,
                   [&](std::int64_t first, std::int64_t count, const unsigned char* raw) {
                       ids.resize(static_cast<std::size_t>(count));
                       for (std::int64_t i = 0; i < count; ++i) {
                           ids[i] = static_cast<std::uint32_t>(decode(source, raw + i * source.element_bytes).bits);
                       }
                       mpi::all_or_nothing(comm, [&] {
                           try {
                               out->write_tokens(first, count, ids.data());
                           } catch (const LibraryError& e) {
                               throw InputError(path + ": cannot write /tokens: " + e.what());
                           }
                       });
                   });
    mpi::all_or_nothing(comm, [&] {
        try {
            out->close();
        } catch (const LibraryError& e) {
            throw InputError(path + ": " + e.what());
        }
    });
    return summary;
}

}  // namespace ctscale::import
