#pragma once
/// Progress on stderr for long work: items done / total, work done / total (bytes read, or
/// estimated flops), rate, ETA. Silent for the first second, then at most one line per
/// second; plain lines when stderr is not a terminal, one rewritten line when it is.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace ctscale::cli {

/// How the work is counted and shown: bytes as MB, flops as GFLOP.
struct WorkMeasure {
    const char* name;
    double scale;
    static constexpr WorkMeasure megabytes() { return {"MB", 1e6}; }
    static constexpr WorkMeasure gigaflops() { return {"GFLOP", 1e9}; }
};

class Progress {
public:
    Progress(bool enabled, std::string program, WorkMeasure measure = WorkMeasure::megabytes(), std::FILE* out = stderr,
             std::chrono::milliseconds quiet = std::chrono::seconds(1));
    void update(std::size_t done, std::size_t total, const std::string& unit, double work, double total_work);
    /// Ends a rewritten terminal line.
    void finish();

private:
    bool enabled_;
    std::FILE* out_;
    bool terminal_;
    bool printed_ = false;
    std::string program_;
    WorkMeasure measure_;
    std::chrono::milliseconds quiet_;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_;
};

}  // namespace ctscale::cli
