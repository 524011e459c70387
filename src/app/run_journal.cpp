#include "ctscale/app/run_journal.hpp"

#include <filesystem>

#include "ctscale/error.hpp"
#include "ctscale/fit/matrix_record.hpp"
#include "ctscale/io/atomic_file.hpp"

namespace ctscale::app {
namespace fs = std::filesystem;

namespace {
constexpr const char* manifest_name = "settings";
constexpr const char* record_prefix = "fit-";
}  // namespace

RunJournal::RunJournal(const std::string& output, const std::string& fingerprint, bool resume)
    : directory_(output + ".ctscale-progress") {
    const std::string manifest = (fs::path(directory_) / manifest_name).string();
    std::error_code error;
    if (resume && fs::exists(manifest)) {
        if (io::read_file(manifest) != fingerprint) {
            throw InputError("cannot --resume: " + directory_ + " belongs to a run with other settings or another "
                             "input (remove it, or run without --resume)");
        }
        return;
    }
    fs::remove_all(directory_, error);
    if (!fs::create_directory(directory_, error)) {
        throw InputError(directory_ + ": cannot create the progress directory: " + error.message());
    }
    io::write_file_atomically(manifest, fingerprint);
}

std::string RunJournal::record_path(std::size_t index) const {
    return (fs::path(directory_) / (record_prefix + std::to_string(index))).string();
}

std::map<std::size_t, fit::MatrixResult> RunJournal::finished() const {
    std::map<std::size_t, fit::MatrixResult> results;
    for (const auto& entry : fs::directory_iterator(directory_)) {
        const std::string name = entry.path().filename().string();
        const std::string digits = name.rfind(record_prefix, 0) == 0 ? name.substr(std::string(record_prefix).size()) : "";
        if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) continue;  // temporaries
        const std::size_t index = std::stoull(digits);
        results.emplace(index, fit::decode_record(io::read_file(entry.path().string()), entry.path().string()));
    }
    return results;
}

void RunJournal::save(std::size_t index, const fit::MatrixResult& result) const {
    io::write_file_atomically(record_path(index), fit::encode_record(result));
}

void RunJournal::remove() const {
    std::error_code error;
    fs::remove_all(directory_, error);
}

}  // namespace ctscale::app
