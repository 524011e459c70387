#pragma once
/// The one exception hierarchy of ctscale. `main` catches `Error`, prints its message
/// once on rank 0 and exits with `exit_code()`: 2 for usage errors, 1 for everything else.
#include <stdexcept>
#include <string>

namespace ctscale {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
    virtual int exit_code() const noexcept { return 1; }
};

/// Anything decidable from the command line alone (SPEC §1): exit code 2.
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
