#include "ctscale/linalg/band_to_tridiagonal.hpp"

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstddef>
#include <system_error>
#include <thread>
#include <vector>

#include "ctscale/linalg/blas.hpp"
#include "ctscale/linalg/sums.hpp"

extern "C" void dlarfg_(const int* n, double* alpha, double* x, const int* incx, double* tau);

namespace ctscale::linalg {
namespace {

/// One task: the task-th (1-based) of a sweep, numbered as in dsytrd_sb2st.
struct Task {
    int type;         // 1: a new reflector on the diagonal block, 2: the block below, 3: the next diagonal block
    int first, last;  // columns ST..ED it works on (1-based)
    bool ends_sweep;  // the sweep's last task
};

Task task_of(int task, int sweep, int n, int kd) {
    const int type = task == 1 ? 1 : task % 2 + 2;
    const int column = (type == 2 ? task / 2 : (task + 1) / 2) * kd + sweep;
    const int first = column - kd + 1, last = std::min(column, n);
    const int reached = type == 2 ? column : (first >= last - 1 && last == n ? n : 0);
    return {type, first, last, reached >= n - 1};
}

// The kernels of one task, after LAPACK's DSB2ST_KERNELS (lower, no vectors), in C++:
// LAPACK's own calls OpenBLAS's DSYMV, which takes a global lock on every call, so
// that two threads ran no faster than one (and even a call of order 65 was costly). The
// loops are compiled twice, for AVX2 + FMA and for the baseline, and picked at load time;
// the AVX2 clone is faster than both the baseline and LAPACK's kernels
// (BENCHMARKS.md, "Design measurements").
// (Not under ThreadSanitizer, whose instrumented clone resolvers run before it starts.)
#if defined(__SANITIZE_THREAD__)
#define CTSCALE_SIMD_CLONES
#else
#define CTSCALE_SIMD_CLONES __attribute__((target_clones("avx2,fma", "default")))
#endif
// Blocks are views into the band storage: with leading dimension lda − 1, entry (i, j) of
// the dense block at diagonal position j0 is band row i − j of column j0 + j.

/// C ← H·C (m × n, ldc) with H = I − τ·v·vᵀ.
CTSCALE_SIMD_CLONES void reflect_left(int m, int n, const double* v, double tau, double* c, int ldc) {
    if (tau == 0.0) return;
    for (int j = 0; j < n; ++j) {
        double* column = c + static_cast<std::ptrdiff_t>(j) * ldc;
        const double scale = tau * dot(m, column, v);
        for (int i = 0; i < m; ++i) column[i] -= scale * v[i];
    }
}

/// C ← C·H (m × n, ldc) with H = I − τ·v·vᵀ; w: m of workspace.
CTSCALE_SIMD_CLONES void reflect_right(int m, int n, const double* v, double tau, double* c, int ldc, double* w) {
    if (tau == 0.0) return;
    std::fill_n(w, m, 0.0);
    for (int j = 0; j < n; ++j) {
        const double* column = c + static_cast<std::ptrdiff_t>(j) * ldc;
        for (int i = 0; i < m; ++i) w[i] += column[i] * v[j];
    }
    for (int j = 0; j < n; ++j) {
        double* column = c + static_cast<std::ptrdiff_t>(j) * ldc;
        const double scale = tau * v[j];
        for (int i = 0; i < m; ++i) column[i] -= scale * w[i];
    }
}

/// C ← H·C·H for the symmetric n × n C held in its lower triangle (DLARFY): with
/// w = τ·C·v − ½τ²(vᵀC·v)·v, C ← C − v·wᵀ − w·vᵀ. w: n of workspace.
CTSCALE_SIMD_CLONES void reflect_symmetric(int n, const double* v, double tau, double* c, int ldc, double* w) {
    if (tau == 0.0) return;
    std::fill_n(w, n, 0.0);
    for (int j = 0; j < n; ++j) {  // w = C·v from the lower triangle
        const double* column = c + static_cast<std::ptrdiff_t>(j) * ldc;
        for (int i = j + 1; i < n; ++i) w[i] += column[i] * v[j];
        w[j] += column[j] * v[j] + dot(n - j - 1, column + j + 1, v + j + 1);
    }
    const double alpha = -0.5 * tau * dot(n, w, v);
    for (int i = 0; i < n; ++i) w[i] = tau * (w[i] + alpha * v[i]);
    for (int j = 0; j < n; ++j) {
        double* column = c + static_cast<std::ptrdiff_t>(j) * ldc;
        const double vj = v[j], wj = w[j];
        for (int i = j; i < n; ++i) column[i] -= v[i] * wj + w[i] * vj;
    }
}

/// The Householder reflector that zeroes x[1..n−1] of x = (α, x[1..]) (LAPACK's DLARFG):
/// v[0] = 1 and v[1..] (x[1..] is moved there and zeroed); α becomes β. Returns τ.
double householder(int n, double* x, double* v) {
    v[0] = 1.0;
    for (int i = 1; i < n; ++i) {
        v[i] = x[i];
        x[i] = 0.0;
    }
    const int one = 1;
    double tau = 0.0;
    dlarfg_(&n, x, v + 1, &one, &tau);
    return tau;
}

/// One task (DSB2ST_KERNELS with UPLO = L, no vectors). `a`: the band, lower storage with
/// room for the bulge (lda = 2·kd + 1); v and tau: two sweeps' reflectors (2n each).
void run_task(const Task& task, int sweep, int n, int kd, double* a, int lda, double* v, double* tau, double* work) {
    // A(i, j) of the Fortran, 1-based; blocks are read with leading dimension lda − 1.
    const auto at = [&](int i, int j) { return a + (i - 1) + static_cast<std::ptrdiff_t>(j - 1) * lda; };
    const int block_ld = lda - 1, half = (sweep - 1) % 2 * n;
    const int st = task.first, ed = task.last, order = ed - st + 1;
    double* v_st = v + half + st - 1;
    double& tau_st = tau[half + st - 1];
    if (task.type == 1) tau_st = householder(order, at(2, st - 1), v_st);  // start the sweep at column st − 1
    if (task.type != 2) {                                                  // the diagonal block, both sides
        reflect_symmetric(order, v_st, tau_st, at(1, st), block_ld, work);
        return;
    }
    // Type 2: the block below it from the right, which creates the bulge, then a new
    // reflector that annihilates the bulge's first column, from the left.
    const int j1 = ed + 1, rows = std::min(ed + kd, n) - j1 + 1;
    if (rows <= 0) return;
    reflect_right(rows, order, v_st, tau_st, at(1 + kd, st), block_ld, work);
    double* v_j1 = v + half + j1 - 1;
    double& tau_j1 = tau[half + j1 - 1];
    tau_j1 = householder(rows, at(1 + kd, st), v_j1);
    reflect_left(rows, order - 1, v_j1, tau_j1, at(kd, st + 1), block_ld);
}

/// Tasks of a sweep completed so far, on a cache line of its own (sweeps s and s + 1 run
/// on different threads); a finished sweep counts as INT_MAX.
struct alignas(64) Progress {
    std::atomic<int> done{0};
};

void wait_until(const std::atomic<int>& done, int tasks) {
    // Tasks take microseconds: spin first; then yield, in case the thread waited for shares
    // this core (more threads than free cores).
    for (int spins = 0; done.load(std::memory_order_acquire) < tasks; ++spins) {
        if (spins < 4096) {
#if defined(__x86_64__) || defined(__i386__)
            __builtin_ia32_pause();
#endif
        } else {
            std::this_thread::yield();
        }
    }
}

}  // namespace

void band_to_tridiagonal(std::int64_t n64, int kd, const double* band, int ldab, double* d, double* e, int threads) {
    const int n = to_blas_int(n64);
    if (n == 0) return;
    const auto column = [](int j, int ld) { return static_cast<std::size_t>(j) * static_cast<std::size_t>(ld); };
    if (kd <= 1) {  // already tridiagonal (dsytrd_sb2st copies it out too)
        for (int j = 0; j < n; ++j) d[j] = band[column(j, ldab)];
        for (int j = 0; j + 1 < n; ++j) e[j] = kd == 0 ? 0.0 : band[column(j, ldab) + 1];
        return;
    }
    // The kernels' layout: the band in rows 1..kd+1 of an lda = 2·kd + 1 array, room for
    // the bulge below it; v and tau for two sweeps at a time (2n each).
    const int lda = 2 * kd + 1;
    std::vector<double> a(column(n, lda), 0.0), tau(2 * static_cast<std::size_t>(n)), v(tau.size());
    for (int j = 0; j < n; ++j) std::copy_n(band + column(j, ldab), kd + 1, a.data() + column(j, lda));
    std::vector<Progress> progress(static_cast<std::size_t>(n));
    // Sweeps per group: of 1 (no reuse of the band between sweeps in cache) up to 32, 8 ran
    // fastest on two threads (BENCHMARKS.md, "Design measurements").
    constexpr int group = 8;
    threads = std::max(1, std::min(threads, n - 1));

    // Sweeps go to threads in groups of `group` consecutive ones (group g to thread
    // g mod team). A thread runs its group as a wavefront, as dsytrd_sb2st runs them all:
    // each sweep one task per round, oldest first, a sweep starting once the one before
    // it is three tasks ahead; the band region they share stays in this core's cache.
    // Only a group's first sweep waits on another thread (the previous group's last).
    // `team` is known once every helper has started (one that could not be started must
    // not be waited for).
    std::atomic<int> team{0};
    const auto chase = [&](int first_group) {
        wait_until(team, 1);
        const int stride = team.load(std::memory_order_acquire);
        std::vector<double> work(2 * static_cast<std::size_t>(kd + 1));
        std::vector<int> next(static_cast<std::size_t>(group));  // each sweep's next task
        for (int first = first_group * group + 1; first <= n - 1; first += stride * group) {
            const int last = std::min(first + group - 1, n - 1);
            std::fill(next.begin(), next.end(), 1);
            for (int oldest = first, newest = first; oldest <= last;) {
                for (int sweep = oldest; sweep <= newest; ++sweep) {
                    int& t = next[static_cast<std::size_t>(sweep - first)];
                    const bool waits_on_other_thread = sweep == first && sweep > 1;
                    if (waits_on_other_thread) wait_until(progress[static_cast<std::size_t>(sweep - 2)].done, t + 2);
                    const Task task = task_of(t, sweep, n, kd);
                    run_task(task, sweep, n, kd, a.data(), lda, v.data(), tau.data(), work.data());
                    progress[static_cast<std::size_t>(sweep - 1)].done.store(task.ends_sweep ? INT_MAX : t,
                                                                             std::memory_order_release);
                    ++t;
                    if (task.ends_sweep) oldest = sweep + 1;  // sweeps end in order
                }
                const bool ahead = newest < oldest || next[static_cast<std::size_t>(newest - first)] > 3;
                if (newest < last && ahead) ++newest;
            }
        }
    };
    {
        std::vector<std::jthread> helpers;
        helpers.reserve(static_cast<std::size_t>(threads - 1));
        try {
            for (int t = 1; t < threads; ++t) helpers.emplace_back(chase, t);
        } catch (const std::system_error&) {  // fewer threads, same result
        }
        team.store(static_cast<int>(helpers.size()) + 1, std::memory_order_release);
        chase(0);
    }  // joined
    for (int j = 0; j < n; ++j) d[j] = a[column(j, lda)];
    for (int j = 0; j + 1 < n; ++j) e[j] = a[column(j, lda) + 1];
}

}  // namespace ctscale::linalg
