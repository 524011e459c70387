#pragma once
/// Output written under a temporary name beside the target and renamed into place only
/// when every rank succeeded, so a failed import leaves no file (and an existing one intact).
#include <boost/mpi/communicator.hpp>
#include <functional>
#include <string>

namespace ctscale::import {

/// Collective. Checks that `path` can be written, calls `write(temporary_path)` on every
/// rank (it must agree its errors across ranks), then renames on rank 0. On any error the
/// temporary file is removed and the agreed error rethrown.
void write_atomically(const std::string& path, const boost::mpi::communicator& comm,
                      const std::function<void(const std::string& temporary)>& write);

}  // namespace ctscale::import
