#include "ctscale/app/progress.hpp"

#include <unistd.h>

#include <cstdio>

namespace ctscale::app {

Progress::Progress(bool enabled, std::string program)
    : enabled_(enabled),
      terminal_(isatty(STDERR_FILENO) != 0),
      program_(std::move(program)),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

void Progress::update(std::size_t done, std::size_t total, const std::string& unit, std::int64_t bytes,
                      std::int64_t total_bytes) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const bool last = done == total;
    if (elapsed < 1.0 || (!last && now - last_ < std::chrono::seconds(1)) || (last && !printed_)) return;
    last_ = now;
    printed_ = true;
    const double rate = bytes / elapsed / 1e6;
    const double eta = bytes > 0 ? elapsed * double(total_bytes - bytes) / double(bytes) : 0.0;
    std::fprintf(stderr, "%s%s: %zu/%zu %s, %.1f/%.1f MB, %.1f MB/s, ETA %.0f s%s", terminal_ ? "\r" : "",
                 program_.c_str(), done, total, unit.c_str(), bytes / 1e6, total_bytes / 1e6, rate, eta,
                 terminal_ ? "   " : "\n");
    std::fflush(stderr);
}

void Progress::finish() {
    if (enabled_ && terminal_ && printed_) std::fputc('\n', stderr);
}

}  // namespace ctscale::app
