#pragma once
/// The one exception hierarchy of ctscale. `main` catches `Error`, prints its message
/// once on rank 0 and exits with `exit_code()`: 2 for usage errors, 1 for everything else.
#include <cstdio>
#include <stdexcept>
#include <string>

namespace ctscale {

/// `text` with every control character escaped (\n, \r, \t, \xNN): messages quote names
/// and attributes read from input files, and an error must stay one line (docs/programs.md).
inline std::string one_line(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '\n')
            out += "\\n";
        else if (c == '\r')
            out += "\\r";
        else if (c == '\t')
            out += "\\t";
        else if (byte < 0x20 || byte == 0x7f) {
            char hex[5];
            std::snprintf(hex, sizeof hex, "\\x%02x", byte);
            out += hex;
        } else
            out += c;
    }
    return out;
}

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& what) : std::runtime_error(one_line(what)) {}
    virtual int exit_code() const noexcept { return 1; }
};

/// Anything decidable from the command line alone (docs/programs.md): exit code 2.
class UsageError : public Error {
public:
    using Error::Error;
    int exit_code() const noexcept override { return 2; }
};

/// A problem found in an input file: missing attribute, bad dtype, non-finite weights, ...
class InputError : public Error {
public:
    using Error::Error;
};

/// A failed call into a C library (MPI, HDF5, BLACS/ScaLAPACK, LAPACK).
class LibraryError : public Error {
public:
    using Error::Error;
};

}  // namespace ctscale
