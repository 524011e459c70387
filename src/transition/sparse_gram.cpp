#include "ctscale/transition/sparse_gram.hpp"

#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "ctscale/mpi/collective.hpp"
#include "ctscale/mpi/exchange.hpp"

namespace ctscale::transition {
namespace {

/// X restricted to the leading V×V block, in compressed form: `start[g]..start[g+1]` are the
/// entries of group g (a column of the left part, a row of the right part).
struct Compressed {
    std::vector<std::int32_t> group;  ///< left: the column of each group; right: unused
    std::vector<std::size_t> start;
    std::vector<std::int32_t> index;  ///< left: rows; right: columns
    std::vector<double> values;       ///< six per entry
};

std::size_t count_inside(const std::vector<PairEntry>& entries, std::int64_t v) {
    return static_cast<std::size_t>(
        std::count_if(entries.begin(), entries.end(), [v](const PairEntry& e) { return e.row < v && e.col < v; }));
}

Compressed compress_left(const std::vector<PairEntry>& left, std::int64_t v, const std::vector<std::int64_t>& rs) {
    Compressed c;
    const std::size_t n = count_inside(left, v);
    c.index.reserve(n);
    c.values.reserve(n * matrix_count);
    for (const PairEntry& e : left) {
        if (e.row >= v || e.col >= v) continue;
        if (c.group.empty() || c.group.back() != e.col) {
            c.group.push_back(e.col);
            c.start.push_back(c.index.size());
        }
        c.index.push_back(e.row);
        const Six x = six_values(e, rs);
        c.values.insert(c.values.end(), x.begin(), x.end());
    }
    c.start.push_back(c.index.size());
    return c;
}

Compressed compress_right(const std::vector<PairEntry>& right, std::int64_t v, const std::vector<std::int64_t>& rs) {
    Compressed c;
    c.start.assign(static_cast<std::size_t>(v) + 1, 0);
    const std::size_t n = count_inside(right, v);
    c.index.reserve(n);
    c.values.reserve(n * matrix_count);
    for (const PairEntry& e : right) {
        if (e.row >= v || e.col >= v) continue;
        ++c.start[e.row + 1];
        c.index.push_back(e.col);
        const Six x = six_values(e, rs);
        c.values.insert(c.values.end(), x.begin(), x.end());
    }
    for (std::size_t i = 1; i < c.start.size(); ++i) c.start[i] += c.start[i - 1];
    return c;
}

/// Neumaier's compensated sum: the sums of squares add up millions of terms of very
/// different size, and rank counts 1..4 must agree to 1e-10 (docs/definitions.md §8).
struct CompensatedSum {
    double sum = 0, compensation = 0;
    void add(double x) noexcept {
        const double t = sum + x;
        compensation += std::abs(sum) >= std::abs(x) ? (sum - t) + x : (x - t) + sum;
        sum = t;
    }
    double value() const noexcept { return sum + compensation; }
};

/// A left entry of a column block: its row, its column's slot in the block, its index.
struct LeftRef {
    std::int32_t row;
    std::int32_t slot;
    std::size_t entry;
};

/// The innermost update: for each of n left entries, acc[slot] += x_left ∘ x_right (six
/// lanes). Cloned for AVX2 where the CPU has it; no FMA contraction (ISO C++ mode), so
/// every clone rounds alike and results do not depend on the machine's vector width.
__attribute__((target_clones("avx2", "default"))) void accumulate(double* acc, const double* right_values,
                                                                  const double* left_values, const LeftRef* refs,
                                                                  std::size_t n) {
    double xr[matrix_count];  // a local copy: the compiler then knows acc cannot alias it
    std::copy_n(right_values, matrix_count, xr);
    for (std::size_t r = 0; r < n; ++r) {
        const double* __restrict xl = &left_values[refs[r].entry * matrix_count];
        double* __restrict ab = acc + static_cast<std::size_t>(refs[r].slot) * matrix_count;
        for (int q = 0; q < matrix_count; ++q) ab[q] += xl[q] * xr[q];
    }
}

}  // namespace

void merge_pairs(std::vector<PairEntry>& entries) {
    // Two stable counting sorts (by column, then by row) instead of a comparison sort:
    // linear in the entries, and these exchanges carry millions of them.
    std::int32_t range = 0;
    for (const PairEntry& e : entries) range = std::max({range, e.row + 1, e.col + 1});
    std::vector<PairEntry> scratch(entries.size());
    std::vector<std::size_t> start(static_cast<std::size_t>(range) + 1);
    const auto pass = [&](auto key) {
        std::fill(start.begin(), start.end(), 0);
        for (const PairEntry& e : entries) ++start[static_cast<std::size_t>(key(e)) + 1];
        for (std::size_t k = 1; k < start.size(); ++k) start[k] += start[k - 1];
        for (const PairEntry& e : entries) scratch[start[static_cast<std::size_t>(key(e))]++] = e;
        entries.swap(scratch);
    };
    pass([](const PairEntry& e) { return e.col; });
    pass([](const PairEntry& e) { return e.row; });
    std::size_t out = 0;
    for (std::size_t k = 0; k < entries.size(); ++k) {
        if (out > 0 && entries[out - 1].row == entries[k].row && entries[out - 1].col == entries[k].col) {
            entries[out - 1].m += entries[k].m;
            entries[out - 1].mt += entries[k].mt;
        } else {
            entries[out++] = entries[k];
        }
    }
    entries.resize(out);
}

Six six_values(const PairEntry& e, const std::vector<std::int64_t>& row_sums) noexcept {
    const double m = static_cast<double>(e.m), mt = static_cast<double>(e.mt);
    // P[row, col] = C[row, col]/rowsum(row) and P[col, row] = C[col, row]/rowsum(col): one
    // division each, as in the dense reference; empty rows stay zero.
    const double p = e.m > 0 ? m / static_cast<double>(row_sums[e.row]) : 0.0;
    const double pt = e.mt > 0 ? mt / static_cast<double>(row_sums[e.col]) : 0.0;
    return {m, (m + mt) / 2, (m - mt) / 2, p, (p + pt) / 2, (p - pt) / 2};
}

Six GramSums::pr() const noexcept {
    Six out;
    for (int q = 0; q < matrix_count; ++q) {
        out[q] =
            gram_sq[q] > 0 ? frobenius_sq[q] * frobenius_sq[q] / gram_sq[q] : std::numeric_limits<double>::quiet_NaN();
    }
    return out;
}

SparseGram::SparseGram(const std::vector<CountEntry>& owned, blacs::GridShape shape,
                       const boost::mpi::communicator& comm)
    : shape_(shape) {
    if (comm.rank() < shape.size()) {
        my_row_ = comm.rank() / shape.cols;
        my_col_ = comm.rank() % shape.cols;
    }
    // A position (r, c) is needed by process row c mod pr (left) and process column
    // c mod pc (right): pr + pc − 1 distinct processes.
    const auto send = [&](const PairEntry& e, auto& push) {
        const int a0 = e.col % shape.rows, b0 = e.col % shape.cols;
        for (int b = 0; b < shape.cols; ++b) push(a0 * shape.cols + b, e);
        for (int a = 0; a < shape.rows; ++a) {
            if (a != a0) push(a * shape.cols + b0, e);
        }
    };
    std::vector<PairEntry> received = mpi::route<PairEntry>(
        owned,
        [&](const CountEntry& e, auto push) {
            send(PairEntry{e.row, e.col, e.count, 0}, push);  // C[i, j] at position (i, j)
            send(PairEntry{e.col, e.row, 0, e.count}, push);  // C[i, j] is Cᵀ at position (j, i)
        },
        comm);
    merge_pairs(received);  // (row, col) order
    if (my_row_ < 0) return;
    for (const PairEntry& e : received) {
        if (e.col % shape.rows == my_row_) left_.push_back(e);
        if (e.col % shape.cols == my_col_) right_.push_back(e);
    }
    std::vector<PairEntry>().swap(received);
    // A stable sort by column of (row, col)-ordered entries gives (col, row) order.
    std::stable_sort(left_.begin(), left_.end(), [](const PairEntry& x, const PairEntry& y) {
        return x.col < y.col;
    });  // right_ keeps the (row, col) order
}

GramSums SparseGram::local_sums(std::int64_t v, const std::vector<std::int64_t>& row_sums) const {
    GramSums sums;
    if (my_row_ < 0 || v == 0) return sums;
    const Compressed left = compress_left(left_, v, row_sums);
    const Compressed right = compress_right(right_, v, row_sums);
    const int pc = shape_.cols;
    std::vector<std::int32_t> local_col(right.index.size());  // k / pc, computed once
    for (std::size_t f = 0; f < right.index.size(); ++f) local_col[f] = right.index[f] / pc;
    const std::size_t local_cols = static_cast<std::size_t>((v + pc - 1) / pc);

    // Columns j are taken `block` at a time, and the left entries of a block visited by row i:
    // one pass over right row i then serves every column of the block that row i touches. G is
    // nearly dense for real text (the rows of frequent tokens are long), and re-reading right
    // rows once per column, not the arithmetic, would bound the speed.
    constexpr std::size_t block = 16, width = block * matrix_count;
    std::vector<double> acc(local_cols * width, 0.0);  // acc[lk][b][q] = G[j_b, k] of matrix q
    std::vector<std::int64_t> stamp(local_cols, -1);
    std::vector<std::int32_t> touched;
    std::vector<LeftRef> refs;
    std::array<CompensatedSum, matrix_count> frobenius, gram;
    const std::size_t groups = left.group.size();
    for (std::size_t g0 = 0; g0 < groups; g0 += block) {
        const std::size_t g1 = std::min(groups, g0 + block);
        refs.clear();
        for (std::size_t g = g0; g < g1; ++g) {
            for (std::size_t e = left.start[g]; e < left.start[g + 1]; ++e) {
                refs.push_back({left.index[e], static_cast<std::int32_t>(g - g0), e});
            }
        }
        // By row, then by column: each G[j, k] is a sum over ascending rows i, whatever the grid.
        std::sort(refs.begin(), refs.end(),
                  [](const LeftRef& x, const LeftRef& y) { return x.row != y.row ? x.row < y.row : x.slot < y.slot; });
        touched.clear();
        for (std::size_t r0 = 0; r0 < refs.size();) {
            const std::int32_t i = refs[r0].row;
            std::size_t r1 = r0;
            while (r1 < refs.size() && refs[r1].row == i) ++r1;
            // Columns k ≥ the smallest j of this row's left entries; k < j_b is discarded below.
            const std::int32_t j_min = left.group[g0 + refs[r0].slot];
            const auto row_begin = right.index.begin() + static_cast<std::ptrdiff_t>(right.start[i]);
            const auto row_end = right.index.begin() + static_cast<std::ptrdiff_t>(right.start[i + 1]);
            const std::size_t f_end = right.start[i + 1];
            for (auto f = static_cast<std::size_t>(std::lower_bound(row_begin, row_end, j_min) - right.index.begin());
                 f < f_end; ++f) {
                const std::size_t lk = static_cast<std::size_t>(local_col[f]);
                double* a = &acc[lk * width];
                if (stamp[lk] != static_cast<std::int64_t>(g0)) {
                    stamp[lk] = static_cast<std::int64_t>(g0);
                    touched.push_back(static_cast<std::int32_t>(lk));
                    std::fill(a, a + width, 0.0);
                }
                accumulate(a, &right.values[f * matrix_count], left.values.data(), &refs[r0], r1 - r0);
            }
            r0 = r1;
        }
        // Plain sums over the (at most `block`) columns of one k, compensated across k and blocks.
        for (std::int32_t lk : touched) {
            const std::int64_t k = static_cast<std::int64_t>(lk) * pc + my_col_;
            double column_gram[matrix_count] = {};
            for (std::size_t b = 0; b < g1 - g0; ++b) {
                const std::int64_t j = left.group[g0 + b];
                if (k < j) continue;  // G is symmetric: only k ≥ j, off-diagonal squares twice
                const double* a = &acc[static_cast<std::size_t>(lk) * width + b * matrix_count];
                const double weight = k == j ? 1.0 : 2.0;
                for (int q = 0; q < matrix_count; ++q) column_gram[q] += weight * a[q] * a[q];
                if (k == j) {
                    for (int q = 0; q < matrix_count; ++q) frobenius[q].add(a[q]);  // trace(XᵀX) = ‖X‖_F²
                }
            }
            for (int q = 0; q < matrix_count; ++q) gram[q].add(column_gram[q]);
        }
    }
    for (int q = 0; q < matrix_count; ++q) {
        sums.frobenius_sq[q] = frobenius[q].value();
        sums.gram_sq[q] = gram[q].value();
    }
    return sums;
}

GramSums SparseGram::sums(std::int64_t v, const std::vector<std::int64_t>& row_sums,
                          const boost::mpi::communicator& comm) const {
    const GramSums mine = local_sums(v, row_sums);
    std::array<double, 2 * matrix_count> packed;
    std::copy(mine.frobenius_sq.begin(), mine.frobenius_sq.end(), packed.begin());
    std::copy(mine.gram_sq.begin(), mine.gram_sq.end(), packed.begin() + matrix_count);
    std::vector<double> all(packed.size() * static_cast<std::size_t>(comm.size()));
    CTSCALE_MPI(MPI_Allgather(packed.data(), static_cast<int>(packed.size()), MPI_DOUBLE, all.data(),
                              static_cast<int>(packed.size()), MPI_DOUBLE, comm));
    std::array<CompensatedSum, 2 * matrix_count> total;
    for (int r = 0; r < comm.size(); ++r) {  // rank order: the same sum on every rank
        for (std::size_t q = 0; q < packed.size(); ++q) total[q].add(all[r * packed.size() + q]);
    }
    GramSums out;
    for (int q = 0; q < matrix_count; ++q) {
        out.frobenius_sq[q] = total[q].value();
        out.gram_sq[q] = total[matrix_count + q].value();
    }
    return out;
}

}  // namespace ctscale::transition
