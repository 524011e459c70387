#pragma once
/// A read-only file read with positioned reads (pread): no shared file offset, so any
/// range can be read in any order, and memory stays at what the caller asks for.
#include <cstdint>
#include <string>

namespace ctscale::import {

class PositionedFile {
public:
    /// Opens `path` read-only; throws InputError naming the path when it cannot.
    explicit PositionedFile(std::string path);
    PositionedFile(PositionedFile&& other) noexcept;
    PositionedFile& operator=(PositionedFile&& other) noexcept;
    PositionedFile(const PositionedFile&) = delete;
    PositionedFile& operator=(const PositionedFile&) = delete;
    ~PositionedFile();

    const std::string& path() const noexcept { return path_; }
    std::uint64_t size() const noexcept { return size_; }
    /// Reads exactly `bytes` bytes at `offset` into `out`; throws InputError naming the file
    /// (with `what`) on a read error or when the file ends early (it changed under us).
    void read_exact(std::uint64_t offset, std::uint64_t bytes, void* out, const std::string& what) const;

private:
    std::string path_;
    int fd_ = -1;
    std::uint64_t size_ = 0;
};

}  // namespace ctscale::import
