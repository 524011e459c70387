#pragma once
/// The options of ctscale-mpi, parsed once (docs/programs.md); modules get values from here only.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ctscale/fit/k_settings.hpp"
#include "ctscale/spectral/spectral_result.hpp"

namespace ctscale::app {

/// --rates: a target cluster's per-rank rates for --dry-run (0: as measured here).
struct TargetRates {
    double read_bytes_per_second = 0;
    double gemm_flops_per_second = 0;
};

struct RunOptions {
    std::string input;   ///< empty (and no --tokens): the embedded default, generated on the fly
    std::string output;  ///< empty: no results file
    std::string json;    ///< empty: no JSON summary
    std::vector<std::int64_t> k_values{4, 8, 16};
    std::optional<fit::KRule> k_rule = fit::KRule{};
    double width = 1.0;
    std::string matrices_regex;  ///< empty: every 2-D dataset
    bool fail_on_nonfinite = true;
    spectral::SpectralMode spectral = spectral::SpectralMode::pr;
    std::string tokens;  ///< token stream for the transition stage (empty: none)
    std::vector<std::int64_t> vocab{500, 1000, 2000, 4000};
    bool vocab_explicit = false;  ///< given by the user: a V above the distinct tokens is an error
    bool save_amplitudes = false;
    std::int64_t memory_per_rank = std::int64_t{2} << 30;
    /// --min-work-per-rank: input bytes each working rank gets at least (0: every rank works;
    /// mpi/working_team.hpp). 8 MiB is one fit read step, a few tens of milliseconds of work.
    std::int64_t min_work_per_rank = std::int64_t{8} << 20;
    std::uint64_t null_seed = 0;
    int blas_threads = 1;
    bool quiet = false;
    bool dry_run = false;         ///< print the plan and estimates instead of running
    std::vector<int> plan_ranks;  ///< --plan-ranks: rank counts to estimate (empty: this run's)
    TargetRates target_rates;     ///< --rates
    bool resume = false;          ///< continue from the progress records of a killed run
    std::string command_line;

    std::vector<fit::KSetting> settings() const { return fit::make_settings(k_values, k_rule); }
};

enum class Action { run, help, version };

/// Parses argv; usage errors throw UsageError. `help_text` receives the --help text.
Action parse_run_options(const std::vector<std::string>& args, RunOptions& options, std::string& help_text);

}  // namespace ctscale::app
