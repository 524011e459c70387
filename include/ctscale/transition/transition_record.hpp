#pragma once
/// The transition stage's results as a record of the progress journal
/// (io/binary_record.hpp), so --resume reloads them bit for bit instead of recomputing them.
#include <string>
#include <string_view>

#include "ctscale/transition/transition_stage.hpp"

namespace ctscale::transition {

std::string encode_transition_record(const TransitionResults& results);
/// Throws InputError naming `source` when the record is truncated, corrupt or of another version.
TransitionResults decode_transition_record(std::string_view bytes, const std::string& source);

}  // namespace ctscale::transition
