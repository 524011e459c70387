#pragma once
/// A working array that is overwritten before it is read: it grows to the largest size
/// asked for and keeps that memory, and it never initialises its elements. A
/// std::vector's resize would zero every new element, and freeing and reallocating it
/// between blocks would touch fresh pages again — each first touch of a page costs more
/// here than the arithmetic done on it.
#include <cstddef>
#include <memory>

namespace ctscale::util {

template <typename T>
class ScratchArray {
public:
    /// At least `count` elements with unspecified values; earlier pointers are invalidated
    /// when it grows.
    T* get(std::size_t count) {
        if (count > capacity_) {
            data_ = std::make_unique_for_overwrite<T[]>(count);
            capacity_ = count;
        }
        return data_.get();
    }

private:
    std::unique_ptr<T[]> data_;
    std::size_t capacity_ = 0;
};

}  // namespace ctscale::util
