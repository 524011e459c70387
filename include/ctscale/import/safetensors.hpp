#pragma once
/// The safetensors format, parsed exactly: an 8-byte little-endian header length N, N
/// bytes of JSON (an object: tensor name → {dtype, shape, data_offsets}, plus an optional
/// `__metadata__` object of strings), then the byte buffer the offsets index. As in the
/// reference implementation the tensors must cover the buffer exactly (no overlap, no
/// hole, nothing past the end) and N is at most 100 MB.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ctscale::import {

/// Largest accepted header (the reference implementation's limit).
inline constexpr std::uint64_t max_safetensors_header = 100'000'000;

struct SafetensorsTensor {
    std::string name;
    std::string dtype;                ///< as written: "F32", "BF16", "I8", ...
    std::vector<std::int64_t> shape;  ///< empty for a scalar
    std::uint64_t begin = 0;          ///< absolute byte offset of the data in the file
    std::uint64_t end = 0;            ///< one past the last byte

    /// Product of the shape; parse_safetensors_header has checked it fits in int64.
    std::int64_t elements() const noexcept;
};

struct SafetensorsHeader {
    std::uint64_t header_length = 0;         ///< N
    std::uint64_t data_bytes = 0;            ///< size of the byte buffer after the header
    std::vector<SafetensorsTensor> tensors;  ///< in data order
    std::map<std::string, std::string> metadata;
};

/// Size in bits of one element of a safetensors dtype; 0 for a name the format lacks.
unsigned dtype_bits(std::string_view dtype);

/// Parses the JSON header. `header_length` is N, `data_bytes` the size of the buffer
/// after it. Throws InputError (without the file name) saying what is wrong.
SafetensorsHeader parse_safetensors_header(std::string_view json_text, std::uint64_t header_length,
                                           std::uint64_t data_bytes);

/// Decodes the 8-byte little-endian header length N of a file of `file_size` (≥ 8) bytes
/// and checks it: at most max_safetensors_header, and within the file. Throws InputError.
std::uint64_t safetensors_header_length(const unsigned char (&bytes)[8], std::uint64_t file_size);

/// The whole parse of a file held in memory: header length, JSON header, offsets against
/// the bytes that follow. Throws InputError (without a file name). The fuzzer's entry.
SafetensorsHeader parse_safetensors_file(std::string_view file);

/// Reads and parses the header of the file at `path` with positioned reads (never the
/// data). Throws InputError starting with the path.
SafetensorsHeader read_safetensors_header(const std::string& path);

}  // namespace ctscale::import
