#pragma once
/// Checked size arithmetic for sizes that come from input files (dataset shapes, header
/// lengths, offsets): an overflow becomes an InputError naming what was being computed,
/// never a wrapped size that allocates too little or reads past a buffer.
#include <concepts>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "ctscale/error.hpp"

namespace ctscale::util {

namespace detail {
[[noreturn]] inline void overflow(std::string_view what, const std::string& expression) {
    throw InputError(std::string(what) + ": " + expression + " overflows (sizes too large)");
}
}  // namespace detail

/// a·b, or InputError "<what>: a × b overflows ...".
template <std::integral T>
T checked_mul(T a, T b, std::string_view what) {
    T out{};
    if (__builtin_mul_overflow(a, b, &out)) detail::overflow(what, std::to_string(a) + " × " + std::to_string(b));
    return out;
}

/// a + b, or InputError "<what>: a + b overflows ...".
template <std::integral T>
T checked_add(T a, T b, std::string_view what) {
    T out{};
    if (__builtin_add_overflow(a, b, &out)) detail::overflow(what, std::to_string(a) + " + " + std::to_string(b));
    return out;
}

/// `value` as To when it fits (e.g. an hsize_t dimension as int64), else InputError.
template <std::integral To, std::integral From>
To checked_cast(From value, std::string_view what) {
    To out{};
    if (__builtin_add_overflow(value, To{0}, &out)) {
        throw InputError(std::string(what) + ": " + std::to_string(value) + " is out of range");
    }
    return out;
}

/// Bytes of `count` elements of `element_bytes` each, as a size_t for an allocation.
/// Negative counts are refused too (they come from a size computed elsewhere).
inline std::size_t checked_bytes(std::int64_t count, std::size_t element_bytes, std::string_view what) {
    const auto n = checked_cast<std::size_t>(count, what);
    return checked_mul(n, element_bytes, what);
}

/// rows·cols·element_bytes as a size_t (a buffer of whole rows).
inline std::size_t checked_bytes(std::int64_t rows, std::int64_t cols, std::size_t element_bytes,
                                 std::string_view what) {
    return checked_bytes(checked_mul(rows, cols, what), element_bytes, what);
}

/// rows·cols as a size_t element count (a buffer of whole rows of doubles, say).
inline std::size_t checked_elements(std::int64_t rows, std::int64_t cols, std::string_view what) {
    return checked_bytes(rows, cols, 1, what);
}

}  // namespace ctscale::util
