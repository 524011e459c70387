#include "ctscale/cli/progress.hpp"

#include <unistd.h>

#include <cstdio>

namespace ctscale::cli {

Progress::Progress(bool enabled, std::string program, WorkMeasure measure, std::FILE* out,
                   std::chrono::milliseconds quiet)
    : enabled_(enabled),
      out_(out),
      terminal_(isatty(fileno(out)) != 0),
      program_(std::move(program)),
      measure_(measure),
      quiet_(quiet),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

void Progress::update(std::size_t done, std::size_t total, const std::string& unit, double work, double total_work) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const bool last = done == total;
    if (now - start_ < quiet_ || (!last && now - last_ < quiet_) || (last && !printed_)) return;
    last_ = now;
    printed_ = true;
    const double rate = elapsed > 0 ? work / elapsed / measure_.scale : 0.0;
    const double eta = work > 0 ? elapsed * (total_work - work) / work : 0.0;
    std::fprintf(out_, "%s%s: %zu/%zu %s, %.1f/%.1f %s, %.1f %s/s, ETA %.0f s%s", terminal_ ? "\r" : "",
                 program_.c_str(), done, total, unit.c_str(), work / measure_.scale, total_work / measure_.scale,
                 measure_.name, rate, measure_.name, eta, terminal_ ? "   " : "\n");
    std::fflush(out_);
}

void Progress::finish() {
    if (enabled_ && terminal_ && printed_) std::fputc('\n', out_);
}

}  // namespace ctscale::cli
