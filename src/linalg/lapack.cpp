#include "ctscale/linalg/lapack.hpp"

#include <algorithm>
#include <cstddef>
#include <string>

#include "ctscale/error.hpp"
#include "ctscale/linalg/blas.hpp"

extern "C" {
void dgeqrf_(const int* m, const int* n, double* a, const int* lda, double* tau, double* work, const int* lwork,
             int* info);
void dormqr_(const char* side, const char* trans, const int* m, const int* n, const int* k, const double* a,
             const int* lda, const double* tau, double* c, const int* ldc, double* work, const int* lwork, int* info,
             std::size_t, std::size_t);
void dgesdd_(const char* jobz, const int* m, const int* n, double* a, const int* lda, double* s, double* u,
             const int* ldu, double* vt, const int* ldvt, double* work, const int* lwork, int* iwork, int* info,
             std::size_t);
void dsyevr_(const char* jobz, const char* range, const char* uplo, const int* n, double* a, const int* lda,
             const double* vl, const double* vu, const int* il, const int* iu, const double* abstol, int* m, double* w,
             double* z, const int* ldz, int* isuppz, double* work, const int* lwork, int* iwork, const int* liwork,
             int* info, std::size_t, std::size_t, std::size_t);
void dsytrd_sy2sb_(const char* uplo, const int* n, const int* kd, double* a, const int* lda, double* ab,
                   const int* ldab, double* tau, double* work, const int* lwork, int* info, std::size_t);
void dsterf_(const int* n, double* d, double* e, int* info);
}

namespace ctscale::linalg {
namespace {

void check_info(int info, const char* routine) {
    if (info != 0) throw LibraryError(std::string(routine) + " failed (info = " + std::to_string(info) + ")");
}

/// Workspace size returned by a LAPACK query (lwork = −1) in work[0].
int workspace(double query) { return std::max(1, static_cast<int>(query)); }

}  // namespace

void householder_qr(std::int64_t m, std::int64_t n, double* a, double* tau) {
    const int im = to_blas_int(m), in = to_blas_int(n), lda = to_blas_int(std::max<std::int64_t>(1, m));
    int info = 0, lwork = -1;
    double query = 0;
    dgeqrf_(&im, &in, a, &lda, tau, &query, &lwork, &info);
    check_info(info, "DGEQRF");
    lwork = workspace(query);
    std::vector<double> work(static_cast<std::size_t>(lwork));
    dgeqrf_(&im, &in, a, &lda, tau, work.data(), &lwork, &info);
    check_info(info, "DGEQRF");
}

void apply_householder_q(std::int64_t m, std::int64_t n, std::int64_t k, const double* qr, const double* tau,
                         double* c) {
    if (n == 0) return;
    const char side = 'L', trans = 'N';
    const int im = to_blas_int(m), in = to_blas_int(n), ik = to_blas_int(k),
              ld = to_blas_int(std::max<std::int64_t>(1, m));
    int info = 0, lwork = -1;
    double query = 0;
    dormqr_(&side, &trans, &im, &in, &ik, qr, &ld, tau, c, &ld, &query, &lwork, &info, 1, 1);
    check_info(info, "DORMQR");
    lwork = workspace(query);
    std::vector<double> work(static_cast<std::size_t>(lwork));
    dormqr_(&side, &trans, &im, &in, &ik, qr, &ld, tau, c, &ld, work.data(), &lwork, &info, 1, 1);
    check_info(info, "DORMQR");
}

SmallSvd svd(std::int64_t n, double* a) {
    const char jobz = 'A';
    const int in = to_blas_int(n), ld = to_blas_int(std::max<std::int64_t>(1, n));
    SmallSvd out;
    out.u.resize(static_cast<std::size_t>(n * n));
    out.sigma.resize(static_cast<std::size_t>(n));
    out.vt.resize(static_cast<std::size_t>(n * n));
    std::vector<int> iwork(static_cast<std::size_t>(8 * std::max<std::int64_t>(1, n)));
    int info = 0, lwork = -1;
    double query = 0;
    dgesdd_(&jobz, &in, &in, a, &ld, out.sigma.data(), out.u.data(), &ld, out.vt.data(), &ld, &query, &lwork,
            iwork.data(), &info, 1);
    check_info(info, "DGESDD");
    lwork = workspace(query);
    std::vector<double> work(static_cast<std::size_t>(lwork));
    dgesdd_(&jobz, &in, &in, a, &ld, out.sigma.data(), out.u.data(), &ld, out.vt.data(), &ld, work.data(), &lwork,
            iwork.data(), &info, 1);
    check_info(info, "DGESDD");
    return out;
}

namespace {

/// DSYEVR on the lower triangle of the n×n `a` (overwritten): eigenvalues il..iu into
/// `values` (n entries: DSYEVR may use all of W) and, with vectors, their eigenvectors into
/// z (ldz × found). Returns how many it found.
int symmetric_eigen_range(bool vectors, std::int64_t n, double* a, std::int64_t lda, std::int64_t il, std::int64_t iu,
                          double* values, double* z, std::int64_t ldz) {
    const char jobz = vectors ? 'V' : 'N', range = il == 1 && iu == n ? 'A' : 'I', uplo = 'L';
    const int in = to_blas_int(n), ilda = to_blas_int(std::max<std::int64_t>(1, lda)), lo = to_blas_int(il),
              hi = to_blas_int(iu), iz = to_blas_int(std::max<std::int64_t>(1, ldz));
    const double zero = 0, abstol = 0;
    int found = 0, info = 0, lwork = -1, liwork = -1, iquery = 0;
    double query = 0;
    std::vector<int> support(static_cast<std::size_t>(2 * n));  // two entries per vector
    dsyevr_(&jobz, &range, &uplo, &in, a, &ilda, &zero, &zero, &lo, &hi, &abstol, &found, values, z, &iz,
            support.data(), &query, &lwork, &iquery, &liwork, &info, 1, 1, 1);
    check_info(info, "DSYEVR");
    lwork = workspace(query);
    liwork = std::max(1, iquery);
    std::vector<double> work(static_cast<std::size_t>(lwork));
    std::vector<int> iwork(static_cast<std::size_t>(liwork));
    dsyevr_(&jobz, &range, &uplo, &in, a, &ilda, &zero, &zero, &lo, &hi, &abstol, &found, values, z, &iz,
            support.data(), work.data(), &lwork, iwork.data(), &liwork, &info, 1, 1, 1);
    check_info(info, "DSYEVR");
    return found;
}

}  // namespace

std::vector<double> symmetric_eigenvalues(std::int64_t n, double* a, std::int64_t lda, std::int64_t il,
                                          std::int64_t iu) {
    std::vector<double> values(static_cast<std::size_t>(n));
    if (n == 0) return values;
    double z = 0;
    values.resize(static_cast<std::size_t>(symmetric_eigen_range(false, n, a, lda, il, iu, values.data(), &z, 1)));
    return values;
}

double symmetric_eigenpair(std::int64_t n, double* a, std::int64_t lda, std::int64_t index, double* vector) {
    std::vector<double> values(static_cast<std::size_t>(n));
    const int found = symmetric_eigen_range(true, n, a, lda, index, index, values.data(), vector, n);
    if (found != 1) throw LibraryError("DSYEVR: found " + std::to_string(found) + " eigenvalues, expected 1");
    return values[0];
}

void symmetric_to_band(std::int64_t n, std::int64_t kd, double* a, std::int64_t lda, double* band, std::int64_t ldab) {
    const int in = to_blas_int(n), ikd = to_blas_int(kd), ilda = to_blas_int(std::max<std::int64_t>(1, lda)),
              ildab = to_blas_int(ldab);
    std::vector<double> tau(static_cast<std::size_t>(std::max<std::int64_t>(1, n)));
    int info = 0, lwork = -1;
    double query = 0;
    dsytrd_sy2sb_("L", &in, &ikd, a, &ilda, band, &ildab, tau.data(), &query, &lwork, &info, 1);
    check_info(info, "DSYTRD_SY2SB");
    lwork = workspace(query);
    std::vector<double> work(static_cast<std::size_t>(lwork));
    dsytrd_sy2sb_("L", &in, &ikd, a, &ilda, band, &ildab, tau.data(), work.data(), &lwork, &info, 1);
    check_info(info, "DSYTRD_SY2SB");
}

void tridiagonal_eigenvalues(std::int64_t n, double* d, double* e) {
    const int in = to_blas_int(n);
    int info = 0;
    dsterf_(&in, d, e, &info);
    check_info(info, "DSTERF");
}

}  // namespace ctscale::linalg
