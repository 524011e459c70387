#pragma once
/// The header of a NumPy `.npy` file (format versions 1, 2 and 3): magic "\x93NUMPY",
/// version, header length (2 bytes in v1, 4 in v2/v3), then a Python dict literal
/// {'descr': '<u2', 'fortran_order': False, 'shape': (n,)} padded with spaces.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ctscale::import {

/// Largest accepted header (NumPy itself refuses more than 10000 bytes by default).
inline constexpr std::uint64_t max_npy_header = 1 << 20;

struct NpyHeader {
    int major_version = 1;
    std::string descr;  ///< e.g. "<u2", "<i8", "|u1"
    bool fortran_order = false;
    std::vector<std::int64_t> shape;  ///< () for a scalar
    std::uint64_t data_offset = 0;    ///< where the array data starts

    std::int64_t elements() const noexcept;
};

/// Parses a header from the first bytes of a file (`prefix` must hold the whole header).
/// Throws InputError saying what is wrong.
NpyHeader parse_npy_header(std::string_view prefix);

/// Reads the header of `path`. Throws InputError starting with the path.
NpyHeader read_npy_header(const std::string& path);

}  // namespace ctscale::import
