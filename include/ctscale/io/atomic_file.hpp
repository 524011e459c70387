#pragma once
/// Durable, atomic replacement of files: a reader (or a resumed run after kill -9) sees
/// either the old file or the complete new one, never a torn write. Every program writes
/// its outputs through here (docs/programs.md, "Errors and data safety").
#include <boost/mpi/communicator.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ctscale::io {

/// fsyncs `temporary`, renames it to `target` and fsyncs the directory. Throws InputError
/// naming `target` on failure (the temporary is left for the caller to remove).
void commit_file(const std::string& temporary, const std::string& target);

/// Writes `bytes` to `target` through a temporary file beside it and commit_file.
void write_file_atomically(const std::string& target, std::string_view bytes);

/// The same for several (target, bytes) files in `directory`, with one file-system sync
/// and one directory sync for them all instead of two slow syncs per file
/// (BENCHMARKS.md, "Design measurements").
/// On failure none of the temporaries is left; files already renamed stay, complete.
void write_files_atomically(const std::string& directory,
                            const std::vector<std::pair<std::string, std::string>>& files);

/// Throws InputError naming `path` when its directory does not exist or is not writable,
/// or `path` is a directory: called before any work, so a run does not fail at its end.
void check_writable_destination(const std::string& path);

/// Collective: checks the destination, calls `write(temporary)` on every rank (it must agree
/// its errors across ranks, as parallel HDF5 writes do), then rank 0 commits the temporary
/// to `path` (commit_file). On any error the temporary is removed and the agreed error
/// rethrown, so a failed run leaves no file and an existing one intact.
void write_atomically(const std::string& path, const boost::mpi::communicator& comm,
                      const std::function<void(const std::string& temporary)>& write);

/// Reads a whole file; throws InputError naming it when it cannot.
std::string read_file(const std::string& path);

}  // namespace ctscale::io
