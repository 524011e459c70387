#include "ctscale/fit/moments.hpp"

#include "ctscale/linalg/blas.hpp"

namespace ctscale::fit {

namespace {

/// The second half of Chan's merge, once the other share's co-moments are in `m.m2`: the
/// mean-shift term count·n/(count + n)·δδᵀ (upper triangle), then the mean and the count.
void absorb_mean(CoMoments& m, const double* other_mean, double other_count) {
    const std::int64_t k = m.dimension;
    const double total = m.count + other_count;
    thread_local std::vector<double> delta;
    delta.resize(static_cast<std::size_t>(k));
    for (std::int64_t c = 0; c < k; ++c) delta[c] = other_mean[c] - m.mean[c];
    if (m.count > 0) {
        const double weight = m.count * other_count / total;
        for (std::int64_t j = 0; j < k; ++j) {
            const double dj = weight * delta[j];
            for (std::int64_t i = 0; i <= j; ++i) m.m2[j * k + i] += delta[i] * dj;
        }
    }
    for (std::int64_t c = 0; c < k; ++c) m.mean[c] += delta[c] * other_count / total;
    m.count = total;
}

}  // namespace

void CoMoments::add_rows(const double* values, std::int64_t rows, std::int64_t stride) {
    if (rows == 0) return;
    const std::int64_t k = dimension;
    thread_local std::vector<double> block_mean, centred;  // reused: fresh pages cost more than the work
    block_mean.assign(static_cast<std::size_t>(k), 0.0);
    for (std::int64_t r = 0; r < rows; ++r) {
        for (std::int64_t c = 0; c < k; ++c) block_mean[c] += values[r * stride + c];
    }
    for (double& m : block_mean) m /= double(rows);
    centred.resize(static_cast<std::size_t>(rows * k));
    for (std::int64_t r = 0; r < rows; ++r) {
        for (std::int64_t c = 0; c < k; ++c) centred[r * k + c] = values[r * stride + c] - block_mean[c];
    }
    // Chan's merge of this block (its centred co-moments X·Xᵀ, mean block_mean) into the
    // running share, in place: the block's co-moments are added by the SYRK itself
    // (row-major rows×K is column-major K×rows), then the mean-shift term. Upper triangle
    // only, so a block costs one pass over m2 besides the SYRK, however wide K is.
    linalg::syrk_upper('N', k, rows, 1.0, centred.data(), k, 1.0, m2.data(), k);
    absorb_mean(*this, block_mean.data(), double(rows));
}

void CoMoments::merge(const CoMoments& other) {
    if (other.count == 0) return;
    if (count == 0) {
        *this = other;
        return;
    }
    const std::int64_t k = dimension;
    for (std::int64_t j = 0; j < k; ++j) {
        for (std::int64_t i = 0; i <= j; ++i) m2[j * k + i] += other.m2[j * k + i];
    }
    absorb_mean(*this, other.mean.data(), other.count);
}

std::vector<double> CoMoments::covariance() const {
    const std::int64_t k = dimension;
    std::vector<double> c(m2);
    for (std::int64_t j = 0; j < k; ++j) {
        for (std::int64_t i = 0; i <= j; ++i) c[i * k + j] = c[j * k + i] /= (count - 1);
    }
    return c;
}

void CoMoments::pack(std::vector<double>& out) const {
    out.push_back(count);
    out.insert(out.end(), mean.begin(), mean.end());
    out.insert(out.end(), m2.begin(), m2.end());
}

CoMoments CoMoments::unpack(const double*& in, std::int64_t k) {
    CoMoments m(k);
    m.count = *in++;
    m.mean.assign(in, in + k);
    in += k;
    m.m2.assign(in, in + k * k);
    in += k * k;
    return m;
}

}  // namespace ctscale::fit
