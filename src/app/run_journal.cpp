#include "ctscale/app/run_journal.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <ostream>
#include <sstream>
#include <iterator>
#include <utility>
#include <vector>

#include "ctscale/error.hpp"
#include "ctscale/io/atomic_file.hpp"

namespace ctscale::app {
namespace fs = std::filesystem;

namespace {

constexpr const char* manifest_name = "settings";

void describe_file(std::ostream& text, const char* what, const std::string& path) {
    struct stat info {};
    stat(path.c_str(), &info);
    text << what << "=" << (path.empty() ? "" : fs::absolute(path).string()) << "\n"
         << what << "_size=" << info.st_size << "\n"
         << what << "_mtime=" << info.st_mtim.tv_sec << "." << info.st_mtim.tv_nsec << "\n";
}

}  // namespace

std::string run_fingerprint(const std::string& input, const std::string& tokens, const RunOptions& o) {
    std::ostringstream text;
    if (!input.empty()) describe_file(text, "input", input);
    if (!tokens.empty()) describe_file(text, "tokens", tokens);
    text << "k=";
    for (auto k : o.k_values) text << k << ",";
    text << "\nk_rule=" << (o.k_rule ? o.k_rule->text() : "none") << "\nwidth=" << std::hexfloat << o.width
         << "\nnull_seed=" << o.null_seed << "\nmatrices=" << o.matrices_regex
         << "\non_nonfinite=" << (o.fail_on_nonfinite ? "fail" : "skip") << "\nsave_amplitudes=" << o.save_amplitudes
         << "\nspectral=" << spectral::name_of(o.spectral) << "\nvocab=";
    for (auto v : o.vocab) text << v << ",";
    text << "\nvocab_explicit=" << o.vocab_explicit << "\n";
    return text.str();
}

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

std::string RunJournal::record_path(const std::string& kind, std::size_t index) const {
    return (fs::path(directory_) / (kind + "-" + std::to_string(index))).string();
}

std::map<std::size_t, RunJournal::Record> RunJournal::finished(const std::string& kind) const {
    std::map<std::size_t, Record> records;
    const std::string prefix = kind + "-";
    for (const auto& entry : fs::directory_iterator(directory_)) {
        const std::string name = entry.path().filename().string();
        const std::string digits = name.rfind(prefix, 0) == 0 ? name.substr(prefix.size()) : "";
        if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) continue;  // temporaries
        const std::string path = entry.path().string();
        records.emplace(std::stoull(digits), Record{path, io::read_file(path)});
    }
    return records;
}

void RunJournal::save(const std::string& kind, std::size_t index, std::string bytes) {
    {
        std::lock_guard lock(mutex_);
        rethrow_failure();
        queue_.emplace_back(record_path(kind, index), std::move(bytes));
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
