#include "ctscale/blacs/process_grid.hpp"

#include <utility>

#include "ctscale/blacs/scalapack.hpp"
#include "ctscale/error.hpp"
#include "ctscale/mpi/collective.hpp"

namespace ctscale::blacs {

std::string GridShape::label() const { return std::to_string(rows) + "x" + std::to_string(cols); }

GridShape near_square_shape(int processes) {
    GridShape best;
    for (int rows = 1; rows * rows <= processes; ++rows) {
        const int cols = std::min(processes / rows, 3 * rows);
        // rows grows, so ">=" keeps the squarer of two shapes with equally many ranks.
        if (rows * cols >= best.size()) best = {rows, cols};
    }
    return best;
}

ProcessGrid::ProcessGrid(const boost::mpi::communicator& comm, GridShape shape) : shape_(shape) {
    if (shape.rows < 1 || shape.cols < 1 || shape.size() > comm.size()) {
        throw UsageError("BLACS grid " + shape.label() + " does not fit " + std::to_string(comm.size()) + " rank(s)");
    }
    // The system handle only names `comm` for gridinit; the context keeps its own
    // communicators, so the handle is freed at once (BLACS reuses one handle per comm,
    // and a handle kept alive by one grid must not be freed under another).
    const int handle = Csys2blacs_handle(comm);
    int context = handle;
    Cblacs_gridinit(&context, "Row", shape.rows, shape.cols);
    Cfree_blacs_system_handle(handle);
    const bool inside = comm.rank() < shape.size();
    MPI_Comm members = MPI_COMM_NULL;
    mpi::check(MPI_Comm_split(comm, inside ? 0 : MPI_UNDEFINED, comm.rank(), &members), "MPI_Comm_split");
    if (!inside) return;
    members_ = boost::mpi::communicator(members, boost::mpi::comm_take_ownership);
    context_ = context;
    int rows = 0, cols = 0;
    Cblacs_gridinfo(context_, &rows, &cols, &my_row_, &my_col_);
}

ProcessGrid::~ProcessGrid() { release(); }

ProcessGrid::ProcessGrid(ProcessGrid&& other) noexcept
    : shape_(other.shape_),
      context_(std::exchange(other.context_, -1)),
      my_row_(std::exchange(other.my_row_, -1)),
      my_col_(std::exchange(other.my_col_, -1)),
      members_(std::move(other.members_)) {}

ProcessGrid& ProcessGrid::operator=(ProcessGrid&& other) noexcept {
    if (this != &other) {
        release();
        shape_ = other.shape_;
        context_ = std::exchange(other.context_, -1);
        my_row_ = std::exchange(other.my_row_, -1);
        my_col_ = std::exchange(other.my_col_, -1);
        members_ = std::move(other.members_);
    }
    return *this;
}

void ProcessGrid::release() noexcept {
    if (context_ >= 0) Cblacs_gridexit(context_);
    context_ = -1;
}

}  // namespace ctscale::blacs
