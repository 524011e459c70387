#pragma once
/// Durable, atomic replacement of files: a reader (or a resumed run after kill -9) sees
/// either the old file or the complete new one, never a torn write.
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

/// Reads a whole file; throws InputError naming it when it cannot.
std::string read_file(const std::string& path);

}  // namespace ctscale::io
