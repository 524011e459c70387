#include "ctscale/blacs/operations.hpp"

#include <mpi.h>

#include <algorithm>

#include "ctscale/blacs/scalapack.hpp"
#include "ctscale/error.hpp"
#include "ctscale/linalg/blas.hpp"
#include "ctscale/linalg/sums.hpp"
#include "ctscale/mpi/collective.hpp"

namespace ctscale::blacs {

double sum_of_squares(const DistributedMatrix& a) {
    if (!a.grid().contains_me()) return 0.0;
    const double local = linalg::sum_of_squares(a.local_rows(), a.local_cols(), a.data(), a.ld());
    double total = 0.0;
    CTSCALE_MPI(MPI_Allreduce(&local, &total, 1, MPI_DOUBLE, MPI_SUM, a.grid().communicator()));
    return total;
}

std::vector<double> symmetric_eigenvalues(DistributedMatrix& g, std::int64_t il, std::int64_t iu) {
    if (!g.grid().contains_me()) return {};
    const int n = linalg::to_blas_int(g.rows()), lo = linalg::to_blas_int(il), hi = linalg::to_blas_int(iu), one = 1;
    if (n == 0) return {};
    const char range = (il == 1 && iu == g.rows()) ? 'A' : 'I';
    const Descriptor d = g.descriptor();
    const double bound = 0.0;
    int found = 0, vectors = 0, info = 0, query = -1, iwork_query = 0;
    double work_query = 0.0, z = 0.0;
    std::vector<double> values(static_cast<std::size_t>(n));
    auto call = [&](double* work, int lwork, int* iwork, int liwork) {
        pdsyevr_("N", &range, "L", &n, g.data(), &one, &one, d.data(), &bound, &bound, &lo, &hi, &found, &vectors,
                 values.data(), &z, &one, &one, d.data(), work, &lwork, iwork, &liwork, &info, 1, 1, 1);
        CTSCALE_SCALAPACK_INFO(info, "pdsyevr");
    };
    call(&work_query, query, &iwork_query, query);
    std::vector<double> work(static_cast<std::size_t>(work_query) + 1);
    std::vector<int> iwork(static_cast<std::size_t>(std::max(iwork_query, 1)));
    call(work.data(), linalg::to_blas_int(static_cast<std::int64_t>(work.size())), iwork.data(),
         linalg::to_blas_int(static_cast<std::int64_t>(iwork.size())));
    values.resize(static_cast<std::size_t>(found));
    return values;
}

}  // namespace ctscale::blacs
