#pragma once
// Builds the HDF5 file a CheckpointSpec describes, in memory, and returns its bytes.
#include <string>

#include "checkpoint_description.hpp"

namespace ctscale::fuzz {

/// Throws ctscale::Error when HDF5 refuses some part of the description (the fuzzer then
/// skips the input: what HDF5 cannot write, no checkpoint can contain).
std::string build_checkpoint_image(const CheckpointSpec& spec);

}  // namespace ctscale::fuzz
