#pragma once
/// Progress on stderr for long work (SPEC §1): items done / total, bytes, rate, ETA.
/// Silent for the first second, then at most one line per second; plain lines when
/// stderr is not a terminal, one rewritten line when it is.
#include <chrono>
#include <cstdint>
#include <string>

namespace ctscale::app {

class Progress {
public:
    Progress(bool enabled, std::string program);
    void update(std::size_t done, std::size_t total, const std::string& unit, std::int64_t bytes,
                std::int64_t total_bytes);
    /// Ends a rewritten terminal line.
    void finish();

private:
    bool enabled_;
    bool terminal_;
    bool printed_ = false;
    std::string program_;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_;
};

}  // namespace ctscale::app
