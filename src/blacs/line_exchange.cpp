#include "ctscale/blacs/line_exchange.hpp"

#include <mpi.h>

#include <algorithm>
#include <new>
#include <string>
#include <vector>

#include "ctscale/error.hpp"
#include "ctscale/linalg/blas.hpp"
#include "ctscale/mpi/collective.hpp"

namespace ctscale::blacs {
namespace {

constexpr int gather_tag = 7101, exchange_tag = 7102;

/// Frees derived datatypes when the exchange is over, also on an error path.
struct Types {
    std::vector<MPI_Datatype> list;
    MPI_Datatype add(MPI_Datatype type) {
        CTSCALE_MPI(MPI_Type_commit(&type));
        list.push_back(type);
        return type;
    }
    ~Types() {
        for (MPI_Datatype& t : list) MPI_Type_free(&t);
    }
};

/// Global first index and count of the single block process p owns (block size b).
std::pair<std::int64_t, std::int64_t> single_block(std::int64_t n, std::int64_t b, int p) {
    const std::int64_t first = std::min(n, p * b);
    return {first, std::min(n, first + b) - first};
}

}  // namespace

LargeVector<double> gather_columns(const DistributedMatrix& a, int root) {
    const ProcessGrid& line = a.grid();
    if (line.rows() != 1) throw Error("gather_columns: needs a 1 x P grid, not " + line.shape().label());
    if (!line.contains_me()) return {};
    const std::int64_t m = a.rows(), n = a.cols(), nb = a.col_block();
    linalg::to_blas_int(m * n);  // every displacement below fits an int
    const int ranks = line.cols(), me = line.my_col();
    const MPI_Comm comm = line.communicator();
    // The root allocates first and says whether it could: senders must not wait forever.
    LargeVector<double> out;
    int allocated = 1;
    if (me == root) {
        try {
            out.resize(static_cast<std::size_t>(m * n));
        } catch (const std::bad_alloc&) {
            allocated = 0;
        }
    }
    CTSCALE_MPI(MPI_Bcast(&allocated, 1, MPI_INT, root, comm));
    if (!allocated)
        throw LibraryError("out of memory gathering a " + std::to_string(m) + "x" + std::to_string(n) + " matrix");
    if (m == 0 || n == 0) return out;
    if (me != root) {
        if (a.local_cols() > 0) {  // the root expects nothing from a process without columns
            CTSCALE_MPI(
                MPI_Send(a.data(), linalg::to_blas_int(m * a.local_cols()), MPI_DOUBLE, root, gather_tag, comm));
        }
        return {};
    }
    Types types;
    std::vector<MPI_Request> requests;
    for (int r = 0; r < ranks; ++r) {
        // Local block q of process r holds global columns [(q·P + r)·nb, +nb), m values each.
        std::vector<int> lengths, offsets;
        for (std::int64_t j0 = r * nb; j0 < n; j0 += ranks * nb) {
            lengths.push_back(linalg::to_blas_int(std::min(nb, n - j0) * m));
            offsets.push_back(linalg::to_blas_int(j0 * m));
        }
        if (lengths.empty()) continue;
        if (r == root) {
            std::int64_t from = 0;
            for (std::size_t b = 0; b < lengths.size(); ++b) {
                std::copy_n(a.data() + from, lengths[b], out.data() + offsets[b]);
                from += lengths[b];
            }
            continue;
        }
        MPI_Datatype type;
        CTSCALE_MPI(
            MPI_Type_indexed(static_cast<int>(lengths.size()), lengths.data(), offsets.data(), MPI_DOUBLE, &type));
        requests.emplace_back();
        CTSCALE_MPI(MPI_Irecv(out.data(), 1, types.add(type), r, gather_tag, comm, &requests.back()));
    }
    CTSCALE_MPI(MPI_Waitall(static_cast<int>(requests.size()), requests.data(), MPI_STATUSES_IGNORE));
    return out;
}

void columns_to_rows(const DistributedMatrix& from, DistributedMatrix& to) {
    const ProcessGrid& line = from.grid();
    const int ranks = line.cols();
    const std::int64_t m = from.rows(), n = from.cols();
    if (line.rows() != 1 || to.grid().cols() != 1 || to.grid().rows() != ranks || to.rows() != m || to.cols() != n ||
        from.col_block() * ranks < n || to.row_block() * ranks < m) {
        throw Error("columns_to_rows: needs one column block per process on 1 x P and one row block on P x 1");
    }
    if (!line.contains_me() || m == 0 || n == 0) return;
    const int me = line.my_col();
    const MPI_Comm comm = line.communicator();  // the same processes, in the same order, as to's grid
    const auto [c0, nc] = single_block(n, from.col_block(), me);
    const auto [r0, nr] = single_block(m, to.row_block(), me);
    Types types;
    std::vector<MPI_Request> requests;
    for (int s = 0; s < ranks; ++s) {
        // To s: rows [s0, s0 + ns) of my columns (strided); from s: its columns, all of my
        // rows — one contiguous run of ns·nr values in my column-major block.
        const auto [s0, ns] = single_block(m, to.row_block(), s);
        const auto [t0, nt] = single_block(n, from.col_block(), s);
        if (s == me) {
            for (std::int64_t j = 0; j < nc; ++j)
                std::copy_n(from.data() + r0 + j * from.ld(), nr, to.data() + (c0 + j) * to.ld());
            continue;
        }
        if (nt > 0 && nr > 0) {
            requests.emplace_back();
            CTSCALE_MPI(MPI_Irecv(to.data() + t0 * to.ld(), linalg::to_blas_int(nt * nr), MPI_DOUBLE, s, exchange_tag,
                                  comm, &requests.back()));
        }
        if (nc > 0 && ns > 0) {
            MPI_Datatype type;
            CTSCALE_MPI(MPI_Type_vector(linalg::to_blas_int(nc), linalg::to_blas_int(ns),
                                        linalg::to_blas_int(from.ld()), MPI_DOUBLE, &type));
            requests.emplace_back();
            CTSCALE_MPI(MPI_Isend(from.data() + s0, 1, types.add(type), s, exchange_tag, comm, &requests.back()));
        }
    }
    CTSCALE_MPI(MPI_Waitall(static_cast<int>(requests.size()), requests.data(), MPI_STATUSES_IGNORE));
}

}  // namespace ctscale::blacs
