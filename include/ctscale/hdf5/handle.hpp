#pragma once
/// Move-only owner of one HDF5 id; the destructor closes it and never throws.
#include <hdf5.h>

#include <string>

namespace ctscale::hdf5 {

/// Throws LibraryError with `what` and the HDF5 error stack when `status` < 0.
hid_t check(hid_t status, const std::string& what);

/// Turns off HDF5's automatic error printing; errors become exceptions instead. Call once.
void silence_error_stack();

class Handle {
public:
    using Closer = herr_t (*)(hid_t);

    Handle() = default;
    /// Takes ownership of `id` (checked: a negative id throws with `what`).
    Handle(hid_t id, Closer closer, const std::string& what);
    Handle(Handle&& other) noexcept;
    Handle& operator=(Handle&& other) noexcept;
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    ~Handle();

    hid_t id() const noexcept { return id_; }
    operator hid_t() const noexcept { return id_; }  // NOLINT: handles are passed to C calls
    bool valid() const noexcept { return id_ >= 0; }
    /// Closes now, reporting a failure (used where a close must be checked: files).
    void close(const std::string& what);

private:
    hid_t id_ = H5I_INVALID_HID;
    Closer closer_ = nullptr;
};

inline Handle property_list(hid_t cls) { return {H5Pcreate(cls), H5Pclose, "H5Pcreate"}; }
inline Handle datatype(hid_t id, const std::string& what) { return {id, H5Tclose, what}; }
inline Handle dataspace(hid_t id, const std::string& what) { return {id, H5Sclose, what}; }

}  // namespace ctscale::hdf5
