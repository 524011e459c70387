#include "ctscale/import/positioned_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "ctscale/error.hpp"

namespace ctscale::import {

PositionedFile::PositionedFile(std::string path) : path_(std::move(path)) {
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw InputError(path_ + ": cannot open: " + std::strerror(errno));
    struct stat info {};
    if (::fstat(fd_, &info) != 0 || !S_ISREG(info.st_mode)) {
        ::close(fd_);
        throw InputError(path_ + ": not a regular file");
    }
    size_ = static_cast<std::uint64_t>(info.st_size);
}

PositionedFile::PositionedFile(PositionedFile&& other) noexcept
    : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)), size_(other.size_) {}

PositionedFile& PositionedFile::operator=(PositionedFile&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        path_ = std::move(other.path_);
        fd_ = std::exchange(other.fd_, -1);
        size_ = other.size_;
    }
    return *this;
}

PositionedFile::~PositionedFile() {
    if (fd_ >= 0) ::close(fd_);
}

void PositionedFile::read_exact(std::uint64_t offset, std::uint64_t bytes, void* out, const std::string& what) const {
    auto* cursor = static_cast<char*>(out);
    while (bytes > 0) {
        // pread may return less than asked (signals, 2 GiB per call on Linux): loop.
        const ssize_t got = ::pread(fd_, cursor, bytes, static_cast<off_t>(offset));
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) throw InputError(path_ + ": " + what + ": read failed: " + std::strerror(errno));
        if (got == 0) throw InputError(path_ + ": " + what + ": file ends early (truncated or changed while reading)");
        cursor += got;
        offset += static_cast<std::uint64_t>(got);
        bytes -= static_cast<std::uint64_t>(got);
    }
}

}  // namespace ctscale::import
