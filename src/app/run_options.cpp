#include "ctscale/app/run_options.hpp"

#include <cmath>
#include <filesystem>
#include <regex>
#include <sstream>
#include <utility>

#include "ctscale/cli/cli.hpp"
#include "ctscale/error.hpp"
#include "ctscale/spectral/spectral_result.hpp"

namespace ctscale::app {

namespace po = cli::po;
namespace {

/// The same path, or two names of one existing file (links, ./ prefixes).
bool same_file(const std::string& a, const std::string& b) {
    std::error_code error;
    return a == b || std::filesystem::equivalent(a, b, error);
}

/// An output (--output, --json) that names an input would replace it when the run ends.
void refuse_overwriting_inputs(const RunOptions& options) {
    const std::pair<const char*, const std::string*> outputs[] = {{"--output", &options.output},
                                                                  {"--json", &options.json}};
    const std::pair<const char*, const std::string*> inputs[] = {{"the input checkpoint", &options.input},
                                                                 {"the token stream", &options.tokens}};
    for (const auto& [option, output] : outputs) {
        for (const auto& [what, input] : inputs) {
            if (!output->empty() && !input->empty() && same_file(*output, *input)) {
                throw UsageError(std::string(option) + " names " + what + " '" + *input +
                                 "'; refusing to overwrite it");
            }
        }
    }
}

/// "read=2,gemm=50": GB/s and GFLOP/s per rank.
TargetRates parse_target_rates(const std::string& text) {
    TargetRates rates;
    std::istringstream items(text);
    std::string item;
    while (std::getline(items, item, ',')) {
        const auto equals = item.find('=');
        const std::string key = item.substr(0, equals);
        double value = 0;
        std::size_t used = 0;
        try {
            if (equals != std::string::npos) value = std::stod(item.substr(equals + 1), &used);
        } catch (const std::exception&) {
        }
        if (equals == std::string::npos || used == 0 || used != item.size() - equals - 1 || !(value > 0) ||
            !std::isfinite(value) || (key != "read" && key != "gemm")) {
            throw UsageError("--rates: '" + item + "' is not read=GB/s or gemm=GFLOP/s with a positive number");
        }
        (key == "read" ? rates.read_bytes_per_second : rates.gemm_flops_per_second) = value * 1e9;
    }
    if (rates.read_bytes_per_second == 0 && rates.gemm_flops_per_second == 0)
        throw UsageError("--rates: give read=GB/s, gemm=GFLOP/s or both");
    return rates;
}

}  // namespace

Action parse_run_options(const std::vector<std::string>& args, RunOptions& options, std::string& help_text) {
    po::options_description described("ctscale-mpi options");
    // clang-format off: one option per line, as --help shows them
    described.add_options()("help,h", "print this help")("version", "print the version")(
        "input,i", po::value<std::string>(),
        "checkpoint (ctscale.checkpoint HDF5); none: the embedded tiny-10m default")(
        "output,o", po::value<std::string>(), "results file to write (ctscale.results HDF5)")(
        "k", po::value<std::string>()->default_value("4,8,16"), "basis sizes K, comma-separated")(
        "k-rule", po::value<std::string>()->default_value("max(8,cols/16)"),
        "per-matrix K rule max(A,cols/B), or none")("width", po::value<double>()->default_value(1.0),
                                                    "basis width factor s (sigma = s*cols/K)")(
        "matrices", po::value<std::string>(), "ECMAScript regex searched in dataset names (default: all 2-D)")(
        "on-nonfinite", po::value<std::string>()->default_value("fail"), "fail | skip matrices with NaN/Inf")(
        "spectral", po::value<std::string>()->default_value("pr"), "spectral statistics: none | pr | full")(
        "tokens", po::value<std::string>(), "token stream (ctscale.tokens HDF5) for the transition-matrix PRs")(
        "vocab", po::value<std::string>(), "vocabulary sizes V for --tokens (default 500,1000,2000,4000)")(
        "save-amplitudes", "store every row's amplitudes")(
        "mem-per-rank", po::value<std::string>()->default_value("2G"), "memory budget per rank for row blocks")(
        "min-work-per-rank", po::value<std::string>()->default_value("8M"),
        "input bytes per working rank, at least; further ranks wait (0: all work)")(
        "null-seed", po::value<std::uint64_t>()->default_value(0), "seed of the null-baseline column permutation")(
        "blas-threads", po::value<int>()->default_value(1), "BLAS threads per rank")(
        "json", po::value<std::string>(), "also write the summary tables as JSON")(
        "resume", "continue a killed run from its progress records beside --output")(
        "dry-run", "print the plan: matrices, memory per rank, each stage's estimated time")(
        "plan-ranks", po::value<std::string>(), "--dry-run: rank counts to estimate (default: this run's)")(
        "rates", po::value<std::string>(), "--dry-run: a target's per-rank rates read=GB/s,gemm=GFLOP/s")(
        "quiet,q", "no progress output");
    // clang-format on
    std::ostringstream help;
    help << "Usage: mpirun -n N ctscale-mpi [--input CKPT.h5] [--tokens TOKENS.h5] [-o RESULTS.h5] [options]\n"
         << "With neither --input nor --tokens: the embedded default (tiny-10m and a synthetic token stream).\n\n"
         << described;
    help_text = help.str();

    const po::variables_map values = cli::parse_command_line(args, described);
    if (values.count("help")) return Action::help;
    if (values.count("version")) return Action::version;

    if (values.count("input")) options.input = values["input"].as<std::string>();
    if (values.count("output")) options.output = values["output"].as<std::string>();
    if (values.count("json")) options.json = values["json"].as<std::string>();
    options.k_values = cli::parse_int_list(values["k"].as<std::string>(), "k", 1);
    options.k_rule = fit::parse_k_rule(values["k-rule"].as<std::string>());
    options.width = values["width"].as<double>();
    if (!(options.width > 0) || !std::isfinite(options.width)) throw UsageError("--width must be a positive number");
    if (values.count("matrices")) {
        options.matrices_regex = values["matrices"].as<std::string>();
        try {
            std::regex check(options.matrices_regex, std::regex::ECMAScript);
        } catch (const std::regex_error& e) {
            throw UsageError("--matrices: '" + options.matrices_regex + "' is not a valid regular expression");
        }
    }
    const std::string nonfinite = values["on-nonfinite"].as<std::string>();
    if (nonfinite != "fail" && nonfinite != "skip") throw UsageError("--on-nonfinite must be fail or skip");
    options.fail_on_nonfinite = nonfinite == "fail";
    options.spectral = spectral::parse_spectral_mode(values["spectral"].as<std::string>());
    if (values.count("tokens")) options.tokens = values["tokens"].as<std::string>();
    if (values.count("vocab")) {
        options.vocab = cli::parse_int_list(values["vocab"].as<std::string>(), "vocab", 1);
        options.vocab_explicit = true;
    }
    options.save_amplitudes = values.count("save-amplitudes") > 0;
    options.memory_per_rank = cli::parse_byte_size(values["mem-per-rank"].as<std::string>(), "mem-per-rank");
    const std::string min_work = values["min-work-per-rank"].as<std::string>();
    options.min_work_per_rank = min_work == "0" ? 0 : cli::parse_byte_size(min_work, "min-work-per-rank");
    options.null_seed = values["null-seed"].as<std::uint64_t>();
    options.blas_threads = values["blas-threads"].as<int>();
    if (options.blas_threads < 1) throw UsageError("--blas-threads must be >= 1");
    options.quiet = values.count("quiet") > 0;
    options.dry_run = values.count("dry-run") > 0;
    if (values.count("plan-ranks")) {
        for (const std::int64_t p : cli::parse_int_list(values["plan-ranks"].as<std::string>(), "plan-ranks", 1)) {
            if (p > 1 << 20) throw UsageError("--plan-ranks: " + std::to_string(p) + " ranks is more than 1048576");
            options.plan_ranks.push_back(static_cast<int>(p));
        }
    }
    if (values.count("rates")) options.target_rates = parse_target_rates(values["rates"].as<std::string>());
    if ((values.count("plan-ranks") || values.count("rates")) && !options.dry_run)
        throw UsageError("--plan-ranks and --rates go with --dry-run");
    options.resume = values.count("resume") > 0;
    if (options.resume && options.output.empty())
        throw UsageError("--resume needs --output (its progress records live beside it)");
    refuse_overwriting_inputs(options);
    options.command_line = cli::join_command_line("ctscale-mpi", args);
    return Action::run;
}

}  // namespace ctscale::app
