#include "ctscale/fit/moments.hpp"

#include "ctscale/linalg/blas.hpp"

namespace ctscale::fit {

void CoMoments::add_rows(const double* values, std::int64_t rows, std::int64_t stride) {
    if (rows == 0) return;
    const std::int64_t k = dimension;
    CoMoments block(k);
    block.count = double(rows);
    for (std::int64_t r = 0; r < rows; ++r) {
        for (std::int64_t c = 0; c < k; ++c) block.mean[c] += values[r * stride + c];
    }
    for (double& m : block.mean) m /= double(rows);
    thread_local std::vector<double> centred;  // reused: a first touch of fresh pages costs more than the copy
    centred.resize(static_cast<std::size_t>(rows * k));
    for (std::int64_t r = 0; r < rows; ++r) {
        for (std::int64_t c = 0; c < k; ++c) centred[r * k + c] = values[r * stride + c] - block.mean[c];
    }
    // Row-major rows×K is column-major K×rows: m2 = X·Xᵀ in that view (upper triangle, mirrored).
    linalg::syrk_upper('N', k, rows, 1.0, centred.data(), k, 0.0, block.m2.data(), k);
    for (std::int64_t j = 0; j < k; ++j) {
        for (std::int64_t i = j + 1; i < k; ++i) block.m2[j * k + i] = block.m2[i * k + j];
    }
    merge(block);
}

void CoMoments::merge(const CoMoments& other) {
    if (other.count == 0) return;
    if (count == 0) {
        *this = other;
        return;
    }
    const std::int64_t k = dimension;
    const double total = count + other.count;
    std::vector<double> delta(k);
    for (std::int64_t c = 0; c < k; ++c) delta[c] = other.mean[c] - mean[c];
    const double weight = count * other.count / total;
    for (std::int64_t j = 0; j < k; ++j) {
        for (std::int64_t i = 0; i < k; ++i) m2[j * k + i] += other.m2[j * k + i] + weight * delta[i] * delta[j];
    }
    for (std::int64_t c = 0; c < k; ++c) mean[c] += delta[c] * other.count / total;
    count = total;
}

std::vector<double> CoMoments::covariance() const {
    std::vector<double> c(m2);
    for (double& v : c) v /= (count - 1);
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
