#pragma once
// What the checkpoint validation must decide, from the description alone: hdf5_schemas/README.md's
// rules restated independently of src/io, so the fuzzer checks the verdict, not only
// that nothing crashed.
#include <string>

#include "checkpoint_description.hpp"

namespace ctscale::fuzz {

/// Empty when a reader must accept `spec`; otherwise the first rule it breaks.
std::string first_violation(const CheckpointSpec& spec);

}  // namespace ctscale::fuzz
