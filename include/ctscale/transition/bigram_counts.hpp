#pragma once
/// Distributed bigram counting (docs/computation.md, docs/definitions.md §7): each rank counts the pairs of its slice
/// (plus the pair into the next slice), keeps those inside the vocabulary and inside one
/// document, and sends the counts with MPI_Alltoallv to the owners of a 2-D block-cyclic
/// V×V layout, which accumulate them. C is kept sparse: at most `bigrams` non-zeros.
#include <boost/mpi/communicator.hpp>
#include <cstdint>
#include <vector>

#include "ctscale/blacs/process_grid.hpp"

namespace ctscale::transition {

/// One non-zero of C: C[row, col] = count (vocabulary ranks).
struct CountEntry {
    std::int32_t row;
    std::int32_t col;
    std::int64_t count;
};

/// The 2-D block-cyclic layout of a V×V matrix on a pr×pc process grid (ranks in row-major
/// order, as blacs::ProcessGrid numbers them; ranks beyond pr·pc own nothing).
struct BlockCyclic {
    blacs::GridShape shape;
    std::int64_t block = 64;
    int process_row(std::int64_t i) const noexcept { return static_cast<int>((i / block) % shape.rows); }
    int process_col(std::int64_t j) const noexcept { return static_cast<int>((j / block) % shape.cols); }
    int owner(std::int64_t i, std::int64_t j) const noexcept { return process_row(i) * shape.cols + process_col(j); }
    /// Index of global row i among its process row's rows (the local array index).
    std::int64_t local_row(std::int64_t i) const noexcept { return (i / (block * shape.rows)) * block + i % block; }
    std::int64_t local_col(std::int64_t j) const noexcept { return (j / (block * shape.cols)) * block + j % block; }
};

/// Counts the bigrams of positions [first, first + count): (tokens[k], tokens[k+1]), the last
/// one with `next` (−1: none), skipping pairs where breaks[k] is set (hdf5_schemas/README.md) and pairs
/// with a token outside the vocabulary (index[id] < 0). Sorted by (row, col), merged.
std::vector<CountEntry> count_local_bigrams(const std::vector<std::uint32_t>& tokens, std::int64_t next,
                                            const std::vector<bool>& breaks, const std::vector<std::int32_t>& index);

/// Collective: sends each entry to its owner in `layout` (MPI_Alltoallv); each owner returns
/// the sums of what it received, sorted by (row, col).
std::vector<CountEntry> accumulate_at_owners(const std::vector<CountEntry>& local, const BlockCyclic& layout,
                                             const boost::mpi::communicator& comm);

/// Sorts by (row, col) and adds up the counts of equal positions.
void merge_entries(std::vector<CountEntry>& entries);

/// Row sums Σ_{j<V} C[i, j] for i < V over the entries every rank owns (each non-zero held
/// by one rank). Collective; exact (integers).
std::vector<std::int64_t> row_sums(const std::vector<CountEntry>& owned, std::int64_t v,
                                   const boost::mpi::communicator& comm);

}  // namespace ctscale::transition
