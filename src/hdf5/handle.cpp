#include "ctscale/hdf5/handle.hpp"

#include <cstdio>
#include <utility>

#include "ctscale/error.hpp"

namespace ctscale::hdf5 {
namespace {

herr_t collect_message(unsigned depth, const H5E_error2_t* entry, void* out) {
    auto& text = *static_cast<std::string*>(out);
    // The innermost entry says what the library itself found; the rest is call chain.
    if (depth == 0 && entry->desc) text = entry->desc;
    // One line: HDF5 descriptions may carry newlines and padding.
    for (char& c : text) c = (c == '\n' || c == '\r') ? ' ' : c;
    return 0;
}

std::string error_stack_text() {
    std::string text;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, collect_message, &text);
    H5Eclear2(H5E_DEFAULT);
    return text;
}

}  // namespace

void silence_error_stack() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

hid_t check(hid_t status, const std::string& what) {
    if (status >= 0) return status;
    std::string detail = error_stack_text();
    throw LibraryError(what + (detail.empty() ? "" : ": " + detail));
}

Handle::Handle(hid_t id, Closer closer, const std::string& what) : id_(check(id, what)), closer_(closer) {}

Handle::Handle(Handle&& other) noexcept : id_(std::exchange(other.id_, H5I_INVALID_HID)), closer_(other.closer_) {}

Handle& Handle::operator=(Handle&& other) noexcept {
    if (this != &other) {
        if (valid()) closer_(id_);
        id_ = std::exchange(other.id_, H5I_INVALID_HID);
        closer_ = other.closer_;
    }
    return *this;
}

Handle::~Handle() {
    if (valid() && closer_(id_) < 0) {
        std::fprintf(stderr, "ctscale: warning: closing HDF5 id failed: %s\n", error_stack_text().c_str());
    }
}

void Handle::close(const std::string& what) {
    if (!valid()) return;
    hid_t id = std::exchange(id_, H5I_INVALID_HID);
    check(closer_(id), what);
}

}  // namespace ctscale::hdf5
