#pragma once
/// Parallel conversion of a planned safetensors import into a `ctscale.checkpoint` file:
/// every tensor is row-partitioned over the ranks (docs/computation.md); each rank reads its rows with
/// positioned reads in sub-blocks of at most `memory_per_rank` bytes and writes them with
/// collective HDF5 writes. Values are copied bit for bit in their stored type.
#include <boost/mpi/communicator.hpp>
#include <cstdint>
#include <functional>
#include <string>

#include "ctscale/import/import_plan.hpp"
#include "ctscale/io/checkpoint.hpp"

namespace ctscale::import {

/// Called on rank 0 after each tensor: tensors done, total, bytes written so far.
using ImportProgress = std::function<void(std::size_t done, std::size_t total, std::int64_t bytes)>;

/// Collective: writes `path` (created or truncated). Every phase is agreed across ranks,
/// so an error on any rank becomes the same InputError on all of them.
void write_imported_checkpoint(const std::string& path, const io::ModelInfo& model, const SafetensorsSource& source,
                               const ImportPlan& plan, std::int64_t memory_per_rank,
                               const boost::mpi::communicator& comm, const ImportProgress& progress = {});

}  // namespace ctscale::import
