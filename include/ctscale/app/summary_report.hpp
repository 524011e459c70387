#pragma once
/// The summary tables for a terminal, and the same tables as JSON (--json).
#include <iosfwd>
#include <string>
#include <vector>

#include "ctscale/app/results_file.hpp"

namespace ctscale::app {

void print_summary(std::ostream& out, const RunRecord& record, const RunResults& results);

/// Rank 0 only; throws InputError naming the path when it cannot be written.
void write_summary_json(const std::string& path, const RunRecord& record, const RunResults& results);

}  // namespace ctscale::app
