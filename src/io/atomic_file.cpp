#include "ctscale/io/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <boost/mpi/collectives.hpp>

#include "ctscale/error.hpp"
#include "ctscale/mpi/collective.hpp"

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
    if (std::rename(temporary.c_str(), target.c_str()) != 0)
        throw InputError(system_error(target, "cannot rename into place"));
    const auto directory = std::filesystem::path(target).parent_path();
    sync_path(directory.empty() ? "." : directory.string(), O_RDONLY | O_DIRECTORY, target);
}

namespace {

/// The temporary beside `target`, named by a process id (this process's by default).
std::string temporary_for(const std::string& target, long id = static_cast<long>(::getpid())) {
    return target + ".tmp." + std::to_string(id);
}

/// Writes `bytes` to the temporary of `target`, unsynced; removes it and throws on failure.
void write_temporary(const std::string& target, std::string_view bytes) {
    const std::string temporary = temporary_for(target);
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) {
        std::remove(temporary.c_str());
        throw InputError(target + ": cannot write (disk full or not writable?)");
    }
}

}  // namespace

void write_file_atomically(const std::string& target, std::string_view bytes) {
    write_temporary(target, bytes);
    const std::string temporary = temporary_for(target);
    try {
        commit_file(temporary, target);
    } catch (...) {
        std::remove(temporary.c_str());
        throw;
    }
}

void write_files_atomically(const std::string& directory,
                            const std::vector<std::pair<std::string, std::string>>& files) {
    if (files.empty()) return;
    try {
        for (const auto& [target, bytes] : files) write_temporary(target, bytes);
        // One sync of the file system makes every temporary durable (fsync of each where
        // syncfs is not available); only then do they take their names.
        Descriptor fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY));
        if (fd.get() < 0) throw InputError(system_error(directory, "cannot open"));
        if (::syncfs(fd.get()) != 0) {
            for (const auto& file : files) sync_path(temporary_for(file.first), O_RDONLY, file.first);
        }
        for (const auto& file : files) {
            if (std::rename(temporary_for(file.first).c_str(), file.first.c_str()) != 0) {
                throw InputError(system_error(file.first, "cannot rename into place"));
            }
        }
        if (::fsync(fd.get()) != 0) throw InputError(system_error(directory, "cannot sync"));
    } catch (...) {
        for (const auto& file : files) std::remove(temporary_for(file.first).c_str());
        throw;
    }
}

void check_writable_destination(const std::string& path) {
    const std::filesystem::path target(path);
    const std::filesystem::path directory = target.parent_path().empty() ? "." : target.parent_path();
    if (!std::filesystem::is_directory(directory)) {
        throw InputError(path + ": cannot write: directory " + directory.string() + " does not exist");
    }
    if (::access(directory.c_str(), W_OK) != 0) {
        throw InputError(path + ": cannot write: directory " + directory.string() + " is not writable");
    }
    if (std::filesystem::is_directory(target)) throw InputError(path + ": cannot write: is a directory");
}

void write_atomically(const std::string& path, const boost::mpi::communicator& comm,
                      const std::function<void(const std::string& temporary)>& write) {
    mpi::all_or_nothing(comm, [&] { check_writable_destination(path); });
    long id = comm.rank() == 0 ? static_cast<long>(::getpid()) : 0;  // rank 0's name for every rank
    boost::mpi::broadcast(comm, id, 0);
    const std::string temporary = temporary_for(path, id);
    try {
        write(temporary);
        mpi::all_or_nothing(comm, [&] {
            if (comm.rank() == 0) commit_file(temporary, path);
        });
    } catch (...) {
        if (comm.rank() == 0) std::remove(temporary.c_str());
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
