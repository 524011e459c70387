#pragma once
/// The static schedule of the spectral stage (docs/computation.md, docs/definitions.md §8): matrices ordered by size
/// (rows·cols, descending), then name; the large ones are analysed by all ranks together
/// (split_spectrum.hpp, P at a time so their dense solves overlap), the others
/// concurrently on groups of one rank (plain LAPACK), in rounds of one matrix per rank.
/// It depends only on the shapes, the rank count and the memory budget, so two runs with
/// the same rank count do the same arithmetic.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "ctscale/io/checkpoint.hpp"

namespace ctscale::spectral {

struct SpectralSchedule {
    /// Indices into the matrices, in schedule order, each analysed by all ranks together.
    std::vector<std::size_t> whole_grid;
    /// rounds[r][g]: the matrix rank g analyses in round r (a round may be shorter than
    /// the rank count; only the last one is).
    std::vector<std::vector<std::size_t>> rounds;
};

/// Work estimate of the Gram route in flops: m·n·k for the Gram matrix plus 4·k³ for its
/// eigenvalues, k = min(m, n).
double spectral_cost(std::int64_t rows, std::int64_t cols) noexcept;

/// Bytes one rank needs to analyse the matrix alone: W, G and the eigensolver's copy.
std::int64_t local_bytes(std::int64_t rows, std::int64_t cols) noexcept;

/// Work per rank (flops, about a millisecond) below which splitting a matrix over all ranks
/// does not pay: a split analysis costs every rank a dozen collective rounds (reads agreed,
/// Gram panels summed, results gathered), each a scheduling round for every rank on an
/// oversubscribed node (BENCHMARKS.md, "Many ranks on one node"). Below it, a matrix is
/// analysed whole on one rank as at one rank, unless it does not fit one rank's memory.
inline constexpr double min_split_share = 1e7;

/// A matrix goes to all ranks together when ranks > 1, its cost per rank reaches
/// min_split_share, and it alone costs more than an even
/// share of all the work (cost > total/ranks: no grouping could balance it); or when it
/// would lead a round, carries at least a quarter of such a share and costs more than
/// twice any matrix that round would pair it with (the other ranks would wait through
/// most of the round, as for gpt2-124m's 50257 × 768 embedding on 2 ranks:
/// BENCHMARKS.md, "Design measurements"); or, whatever its cost, when it does not fit one
/// rank's memory budget.
SpectralSchedule plan_spectral(const std::vector<io::TensorInfo>& matrices, int ranks, std::int64_t memory_per_rank);

}  // namespace ctscale::spectral
