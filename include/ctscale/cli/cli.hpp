#pragma once
/// Command-line helpers shared by the programs: parsing with Boost.Program_options where
/// every malformed value becomes a UsageError (exit code 2).
#include <boost/program_options.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace ctscale::cli {

namespace po = boost::program_options;

/// Parses `args` against `options`; unknown options and bad values throw UsageError.
po::variables_map parse_command_line(const std::vector<std::string>& args, const po::options_description& options);

/// "4,8,16" → {4, 8, 16}; each value must be ≥ `minimum`.
std::vector<std::int64_t> parse_int_list(const std::string& text, const std::string& option, std::int64_t minimum);
/// "2G", "512M", "64K", "1000" (bytes) → bytes.
std::int64_t parse_byte_size(const std::string& text, const std::string& option);
/// The command line as one shell-like string, for provenance.
std::string join_command_line(const std::string& program, const std::vector<std::string>& args);

}  // namespace ctscale::cli
