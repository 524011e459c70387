#include "ctscale/app/run_journal.hpp"

#include <filesystem>
#include <iterator>
#include <utility>
#include <vector>

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
    if (resume && fs::exists(manifest) && io::read_file(manifest) != fingerprint) {
        throw InputError("cannot --resume: " + directory_ +
                         " belongs to a run with other settings or another "
                         "input (remove it, or run without --resume)");
    }
    if (!(resume && fs::exists(manifest))) {
        fs::remove_all(directory_, error);
        if (!fs::create_directory(directory_, error)) {
            throw InputError(directory_ + ": cannot create the progress directory: " + error.message());
        }
        io::write_file_atomically(manifest, fingerprint);
    }
    writer_ = std::thread([this] { write_records(); });
}

RunJournal::~RunJournal() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    writer_.join();
}

void RunJournal::write_records() {
    std::unique_lock lock(mutex_);
    for (;;) {
        changed_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping, nothing left
        // Everything queued so far in one batch: one sync for the lot (records arrive a
        // round of P matrices at a time, faster than one sync per record would allow).
        std::vector<std::pair<std::string, std::string>> batch(std::make_move_iterator(queue_.begin()),
                                                               std::make_move_iterator(queue_.end()));
        queue_.clear();
        writing_ = true;
        lock.unlock();
        std::exception_ptr failure;
        try {
            io::write_files_atomically(directory_, batch);
        } catch (...) {
            failure = std::current_exception();
        }
        lock.lock();
        writing_ = false;
        if (failure && !failure_) failure_ = failure;
        changed_.notify_all();
    }
}

void RunJournal::rethrow_failure() {
    if (failure_) std::rethrow_exception(failure_);
}

std::string RunJournal::record_path(std::size_t index) const {
    return (fs::path(directory_) / (record_prefix + std::to_string(index))).string();
}

std::map<std::size_t, fit::MatrixResult> RunJournal::finished() const {
    std::map<std::size_t, fit::MatrixResult> results;
    for (const auto& entry : fs::directory_iterator(directory_)) {
        const std::string name = entry.path().filename().string();
        const std::string digits =
            name.rfind(record_prefix, 0) == 0 ? name.substr(std::string(record_prefix).size()) : "";
        if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) continue;  // temporaries
        const std::size_t index = std::stoull(digits);
        results.emplace(index, fit::decode_record(io::read_file(entry.path().string()), entry.path().string()));
    }
    return results;
}

void RunJournal::save(std::size_t index, const fit::MatrixResult& result) {
    std::string bytes = fit::encode_record(result);
    {
        std::lock_guard lock(mutex_);
        rethrow_failure();
        queue_.emplace_back(record_path(index), std::move(bytes));
    }
    changed_.notify_all();
}

void RunJournal::flush() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return queue_.empty() && !writing_; });
    rethrow_failure();
}

void RunJournal::remove() {
    flush();
    std::error_code error;
    fs::remove_all(directory_, error);
}

}  // namespace ctscale::app
