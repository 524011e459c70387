#pragma once
/// Storage for the big dense arrays of the spectral stage. A first touch of memory costs
/// far more with 4 KiB pages than with transparent huge pages, enough to be a large part
/// of the whole analysis of a 4096² matrix (BENCHMARKS.md, "Design measurements"); so
/// arrays of 2 MiB and more are 2 MiB-aligned and advised for huge pages (MADV_HUGEPAGE;
/// a no-op where THP is off). Elements are value-initialised (zero).
#include <sys/mman.h>

#include <cstddef>
#include <cstdlib>
#include <new>
#include <vector>

namespace ctscale::blacs {

template <class T>
struct LargeAllocator {
    using value_type = T;
    static constexpr std::size_t huge_page = std::size_t{2} << 20;

    LargeAllocator() noexcept = default;
    template <class U>
    LargeAllocator(const LargeAllocator<U>&) noexcept {}  // NOLINT: rebinding

    T* allocate(std::size_t n) {
        const std::size_t bytes = n * sizeof(T);
        if (bytes < huge_page) return static_cast<T*>(::operator new(bytes));
        const std::size_t rounded = (bytes + huge_page - 1) / huge_page * huge_page;
        void* p = std::aligned_alloc(huge_page, rounded);
        if (!p) throw std::bad_alloc();
        madvise(p, rounded, MADV_HUGEPAGE);
        return static_cast<T*>(p);
    }
    void deallocate(T* p, std::size_t n) noexcept {
        if (n * sizeof(T) < huge_page) {
            ::operator delete(p);
        } else {
            std::free(p);
        }
    }
    template <class U>
    bool operator==(const LargeAllocator<U>&) const noexcept {
        return true;
    }
};

/// A std::vector on LargeAllocator.
template <class T>
using LargeVector = std::vector<T, LargeAllocator<T>>;

}  // namespace ctscale::blacs
