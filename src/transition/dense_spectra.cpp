#include "ctscale/transition/dense_spectra.hpp"

#include "ctscale/blacs/distributed_matrix.hpp"
#include "ctscale/spectral/matrix_spectrum.hpp"
#include "ctscale/mpi/exchange.hpp"

namespace ctscale::transition {

std::array<std::vector<double>, matrix_count> dense_singular_values(const std::vector<CountEntry>& owned,
                                                                    std::int64_t v,
                                                                    const std::vector<std::int64_t>& row_sums,
                                                                    const blacs::ProcessGrid& grid,
                                                                    const boost::mpi::communicator& comm) {
    // The block size the spectral module expects for a V×V matrix on this grid.
    const BlockCyclic layout{grid.shape(), spectral::block_size_for(v, v, grid.shape())};
    // Each position's owner needs C[i, j] and C[j, i] (for the symmetric and skew parts).
    std::vector<PairEntry> mine = mpi::route<PairEntry>(
        owned,
        [&](const CountEntry& e, auto push) {
            if (e.row >= v || e.col >= v) return;
            push(layout.owner(e.row, e.col), PairEntry{e.row, e.col, e.count, 0});
            push(layout.owner(e.col, e.row), PairEntry{e.col, e.row, 0, e.count});
        },
        comm);
    merge_pairs(mine);

    std::array<std::vector<double>, matrix_count> values;
    for (int q = 0; q < matrix_count; ++q) {
        blacs::DistributedMatrix x(grid, v, v, layout.block, layout.block);  // zero-filled
        if (grid.contains_me()) {
            for (const PairEntry& e : mine) {
                x.local(layout.local_row(e.row), layout.local_col(e.col)) = six_values(e, row_sums)[q];
            }
        }
        spectral::SpectralResult r = spectral::analyze_distributed(x, spectral::SpectralMode::full);
        if (comm.rank() == 0) values[q] = std::move(r.singular_values);
    }
    return values;
}

}  // namespace ctscale::transition
