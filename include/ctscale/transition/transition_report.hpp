#pragma once
/// The transition results in the results file (hdf5_schemas/README.md /transition), on a terminal and as
/// JSON (--json). Rank 0 only.
#include <hdf5.h>

#include <iosfwd>
#include <nlohmann/json.hpp>

#include "ctscale/transition/transition_stage.hpp"

namespace ctscale::transition {

/// Writes /transition/summary (one row per V: vocab_size, tokens, bigrams, dangling_rows,
/// pr_<name> and pr_<name>_null), the slopes as attributes of that dataset
/// (slope_pr_<name>[_null], slope_stderr_pr_<name>[_null]), provenance attributes on
/// /transition, and in full mode /transition/V<V>/singular_values_<name> (descending).
void write_transition_results(hid_t results_file, const TransitionResults& results);

/// The table of PRs per V for the stream and its null, and the slopes.
void print_transition_summary(std::ostream& out, const TransitionResults& results);

/// The same numbers as JSON (NaN as null; no singular values).
nlohmann::json transition_json(const TransitionResults& results);

}  // namespace ctscale::transition
