#pragma once
/// The transition results on a terminal and as JSON (--json); the results file's /transition
/// group is written with the rest of that file (app/results_file.cpp). Rank 0 only.
#include <iosfwd>
#include <string>
#include <nlohmann/json.hpp>

#include "ctscale/transition/transition_stage.hpp"

namespace ctscale::transition {

/// The column name of PR q (matrix_names order) in tables and JSON: "<prefix>pr_<name>",
/// with "_null" for the null stream.
std::string pr_column(int q, bool null, const char* prefix = "");

/// The table of PRs per V for the stream and its null, and the slopes.
void print_transition_summary(std::ostream& out, const TransitionResults& results);

/// The same numbers as JSON (NaN as null; no singular values).
nlohmann::json transition_json(const TransitionResults& results);

}  // namespace ctscale::transition
