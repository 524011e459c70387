#pragma once
/// Count, mean and centred co-moment matrix of K-vectors, combined with the pairwise
/// update of Chan, Golub & LeVeque, so a covariance assembled from any split of the rows
/// agrees with the one-pass value to rounding.
#include <cstdint>
#include <vector>

namespace ctscale::fit {

struct CoMoments {
    std::int64_t dimension = 0;
    double count = 0;
    std::vector<double> mean;  ///< K
    std::vector<double> m2;  ///< K×K column-major: Σ (a − mean)(a − mean)ᵀ, upper triangle (the lower is not used)

    explicit CoMoments(std::int64_t k = 0) : dimension(k), mean(k, 0.0), m2(k * k, 0.0) {}
    /// Adds `rows` vectors stored row-major with leading dimension `stride` (≥ K).
    void add_rows(const double* values, std::int64_t rows, std::int64_t stride);
    void merge(const CoMoments& other);
    /// Covariance C = m2/(count − 1), column-major K×K, both triangles.
    std::vector<double> covariance() const;

    /// Flat form for MPI: [count, mean..., m2...].
    void pack(std::vector<double>& out) const;
    static CoMoments unpack(const double*& in, std::int64_t k);
};

}  // namespace ctscale::fit
