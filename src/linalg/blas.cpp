#include "ctscale/linalg/blas.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <limits>
#include <string>

#include "ctscale/error.hpp"

extern "C" void dgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k,
                       const double* alpha, const double* a, const int* lda, const double* b, const int* ldb,
                       const double* beta, double* c, const int* ldc, std::size_t, std::size_t);

extern "C" void dsyrk_(const char* uplo, const char* trans, const int* n, const int* k, const double* alpha,
                       const double* a, const int* lda, const double* beta, double* c, const int* ldc, std::size_t,
                       std::size_t);

extern "C" void dsymm_(const char* side, const char* uplo, const int* m, const int* n, const double* alpha,
                       const double* a, const int* lda, const double* b, const int* ldb, const double* beta, double* c,
                       const int* ldc, std::size_t, std::size_t);

namespace ctscale::linalg {

int to_blas_int(std::int64_t value) {
    if (value < 0 || value > std::numeric_limits<int>::max()) {
        throw Error("size " + std::to_string(value) + " does not fit a BLAS integer");
    }
    return static_cast<int>(value);
}

void gemm(char trans_a, char trans_b, std::int64_t m, std::int64_t n, std::int64_t k, double alpha, const double* a,
          std::int64_t lda, const double* b, std::int64_t ldb, double beta, double* c, std::int64_t ldc) {
    if (m == 0 || n == 0) return;
    const int im = to_blas_int(m), in = to_blas_int(n), ik = to_blas_int(k);
    const int ilda = to_blas_int(std::max<std::int64_t>(1, lda)), ildb = to_blas_int(std::max<std::int64_t>(1, ldb)),
              ildc = to_blas_int(std::max<std::int64_t>(1, ldc));
    dgemm_(&trans_a, &trans_b, &im, &in, &ik, &alpha, a, &ilda, b, &ildb, &beta, c, &ildc, 1, 1);
}

void symm_lower(std::int64_t m, std::int64_t n, const double* a, std::int64_t lda, const double* b, std::int64_t ldb,
                double* c, std::int64_t ldc) {
    if (m == 0 || n == 0) return;
    const int im = to_blas_int(m), in = to_blas_int(n);
    const int ilda = to_blas_int(std::max<std::int64_t>(1, lda)), ildb = to_blas_int(std::max<std::int64_t>(1, ldb)),
              ildc = to_blas_int(std::max<std::int64_t>(1, ldc));
    const double one = 1.0, zero = 0.0;
    dsymm_("L", "L", &im, &in, &one, a, &ilda, b, &ildb, &zero, c, &ildc, 1, 1);
}

namespace {

void syrk(char uplo, char trans, std::int64_t n, std::int64_t k, double alpha, const double* a, std::int64_t lda,
          double beta, double* c, std::int64_t ldc) {
    if (n == 0) return;
    const int in = to_blas_int(n), ik = to_blas_int(k);
    const int ilda = to_blas_int(std::max<std::int64_t>(1, lda)), ildc = to_blas_int(std::max<std::int64_t>(1, ldc));
    dsyrk_(&uplo, &trans, &in, &ik, &alpha, a, &ilda, &beta, c, &ildc, 1, 1);
}

}  // namespace

void syrk_upper(char trans, std::int64_t n, std::int64_t k, double alpha, const double* a, std::int64_t lda,
                double beta, double* c, std::int64_t ldc) {
    syrk('U', trans, n, k, alpha, a, lda, beta, c, ldc);
}

void syrk_lower(char trans, std::int64_t n, std::int64_t k, double alpha, const double* a, std::int64_t lda,
                double beta, double* c, std::int64_t ldc) {
    syrk('L', trans, n, k, alpha, a, lda, beta, c, ldc);
}

void set_blas_threads(int threads) {
    using SetThreads = void (*)(int);
    if (auto set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) set(threads);
}

int blas_threads() {
    using GetThreads = int (*)();
    if (auto get = reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"))) return get();
    return 1;
}

const char* blas_vendor() {
    using GetConfig = char* (*)();
    if (auto config = reinterpret_cast<GetConfig>(dlsym(RTLD_DEFAULT, "openblas_get_config"))) return config();
    return "unknown";
}

}  // namespace ctscale::linalg
