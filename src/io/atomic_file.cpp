#include "ctscale/io/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ctscale/error.hpp"

namespace ctscale::io {
namespace {

/// A POSIX descriptor closed on scope exit.
class Descriptor {
public:
    explicit Descriptor(int fd) : fd_(fd) {}
    ~Descriptor() {
        if (fd_ >= 0) ::close(fd_);
    }
    Descriptor(const Descriptor&) = delete;
    Descriptor& operator=(const Descriptor&) = delete;
    int get() const noexcept { return fd_; }

private:
    int fd_;
};

std::string system_error(const std::string& target, const std::string& what) {
    return target + ": " + what + ": " + std::strerror(errno);
}

void sync_path(const std::string& path, int flags, const std::string& target) {
    Descriptor fd(::open(path.c_str(), flags));
    if (fd.get() < 0 || ::fsync(fd.get()) != 0) throw InputError(system_error(target, "cannot sync " + path));
}

}  // namespace

void commit_file(const std::string& temporary, const std::string& target) {
    sync_path(temporary, O_RDONLY, target);
    if (std::rename(temporary.c_str(), target.c_str()) != 0) throw InputError(system_error(target, "cannot rename into place"));
    const auto directory = std::filesystem::path(target).parent_path();
    sync_path(directory.empty() ? "." : directory.string(), O_RDONLY | O_DIRECTORY, target);
}

void write_file_atomically(const std::string& target, std::string_view bytes) {
    const std::string temporary = target + ".tmp." + std::to_string(getpid());
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        out.close();
        if (!out) {
            std::remove(temporary.c_str());
            throw InputError(target + ": cannot write (disk full or not writable?)");
        }
    }
    try {
        commit_file(temporary, target);
    } catch (...) {
        std::remove(temporary.c_str());
        throw;
    }
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path + ": cannot read");
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

}  // namespace ctscale::io
