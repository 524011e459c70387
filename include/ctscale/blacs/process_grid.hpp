#pragma once
/// A BLACS process grid over (the first rows·cols ranks of) an MPI communicator. It owns
/// its BLACS context and frees it in the destructor; Cblacs_exit is never called (with 0
/// it would finalise MPI, and it would also free contexts owned by others).
#include <boost/mpi/communicator.hpp>
#include <string>

namespace ctscale::blacs {

struct GridShape {
    int rows = 1;
    int cols = 1;
    int size() const noexcept { return rows * cols; }
    /// "2x3": rows × cols, as recorded per matrix in the results.
    std::string label() const;
};

/// The near-square grid for `processes` ranks (docs/computation.md: one-row grids perform poorly):
/// the most ranks rows·cols ≤ processes with rows ≤ cols ≤ 3·rows, the squarer on a tie.
/// Ranks beyond rows·cols stay idle (e.g. 5 → 2×2); 2 and 3 ranks can only form one row.
GridShape near_square_shape(int processes);

class ProcessGrid {
public:
    /// No grid: stands for a grid this rank is not part of (a matrix on it holds nothing,
    /// and PDGEMR2D sees CTXT = −1 here).
    ProcessGrid() = default;
    /// Collective over `comm` (BLACS requires every rank to take part, also those left
    /// outside): ranks 0 .. rows·cols−1 form the grid in row-major order, the others get
    /// no context. Throws UsageError when the shape does not fit the communicator.
    ProcessGrid(const boost::mpi::communicator& comm, GridShape shape);
    ~ProcessGrid();
    ProcessGrid(ProcessGrid&& other) noexcept;
    ProcessGrid& operator=(ProcessGrid&& other) noexcept;
    ProcessGrid(const ProcessGrid&) = delete;
    ProcessGrid& operator=(const ProcessGrid&) = delete;

    /// Whether the calling rank is a process of this grid.
    bool contains_me() const noexcept { return context_ >= 0; }
    GridShape shape() const noexcept { return shape_; }
    int rows() const noexcept { return shape_.rows; }
    int cols() const noexcept { return shape_.cols; }
    /// This process's coordinates (−1 outside the grid).
    int my_row() const noexcept { return my_row_; }
    int my_col() const noexcept { return my_col_; }
    /// The grid's own processes, in grid order (null, i.e. false, outside the grid):
    /// reductions over the grid go through it.
    const boost::mpi::communicator& communicator() const noexcept { return members_; }
    /// The BLACS context handle (−1 outside): for the blacs module's wrappers only.
    int context() const noexcept { return context_; }

private:
    void release() noexcept;
    GridShape shape_;
    int context_ = -1;
    int my_row_ = -1;
    int my_col_ = -1;
    boost::mpi::communicator members_{MPI_COMM_NULL, boost::mpi::comm_attach};  // null outside
};

}  // namespace ctscale::blacs
