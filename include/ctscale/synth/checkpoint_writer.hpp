#pragma once
/// Writes a synthetic checkpoint in parallel: each rank generates and writes its own rows.
#include <boost/mpi/communicator.hpp>
#include <cstdint>
#include <functional>
#include <string>

#include "ctscale/synth/presets.hpp"

namespace ctscale::synth {

struct SynthSettings {
    io::StoredType dtype = io::StoredType::f32;
    std::uint64_t seed = 0;
    std::int64_t memory_per_rank = std::int64_t{256} << 20;  ///< bytes of generation buffer
};

/// Called on rank 0 after each tensor with (tensors done, total, bytes written so far).
using WriteProgress = std::function<void(std::size_t, std::size_t, std::int64_t)>;

/// Collective: writes `arch` to `path` (truncating). Identical bytes for any rank count.
void write_checkpoint(const std::string& path, const Architecture& arch, const SynthSettings& settings,
                      const boost::mpi::communicator& comm, const WriteProgress& progress = {});

}  // namespace ctscale::synth
