#include "ctscale/import/output_file.hpp"

#include <unistd.h>

#include <boost/mpi/collectives.hpp>
#include <cstdio>
#include <filesystem>

#include "ctscale/error.hpp"
#include "ctscale/mpi/collective.hpp"

namespace ctscale::import {
namespace {

namespace fs = std::filesystem;

void check_destination(const std::string& path) {
    const fs::path target(path);
    const fs::path directory = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    if (!fs::is_directory(directory)) {
        throw InputError(path + ": cannot write: directory " + directory.string() + " does not exist");
    }
    if (::access(directory.c_str(), W_OK) != 0) {
        throw InputError(path + ": cannot write: directory " + directory.string() + " is not writable");
    }
    if (fs::is_directory(target)) throw InputError(path + ": cannot write: is a directory");
}

}  // namespace

void write_atomically(const std::string& path, const boost::mpi::communicator& comm,
                      const std::function<void(const std::string& temporary)>& write) {
    mpi::all_or_nothing(comm, [&] { check_destination(path); });
    long id = comm.rank() == 0 ? static_cast<long>(::getpid()) : 0;
    boost::mpi::broadcast(comm, id, 0);
    const std::string temporary = path + ".tmp." + std::to_string(id);
    try {
        write(temporary);
        mpi::all_or_nothing(comm, [&] {
            if (comm.rank() != 0) return;
            std::error_code error;
            fs::rename(temporary, path, error);
            if (error) throw InputError(path + ": cannot move the output into place: " + error.message());
        });
    } catch (...) {
        if (comm.rank() == 0) std::remove(temporary.c_str());
        throw;
    }
}

}  // namespace ctscale::import
