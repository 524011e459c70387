#pragma once
/// Small statistics on the values rank 0 holds: median, mean/std, Pearson with its
/// two-sided p-value, Spearman with average ranks, participation ratio.
#include <vector>

namespace ctscale::fit {

/// Median of the finite values (mean of the two middle ones for an even count); NaN if none.
double median(std::vector<double> values);
double mean(const std::vector<double>& values);
/// Sample standard deviation (n − 1); NaN for fewer than 2 values.
double sample_std(const std::vector<double>& values);

struct Correlation {
    double r;
    double p_value;
};
/// Pearson r and its two-sided p-value (Student t, n−2 dof); both NaN for n < 3 or zero variance.
Correlation pearson(const std::vector<double>& x, const std::vector<double>& y);
/// Spearman ρ with average ranks for ties; NaN for n < 2 or zero variance.
double spearman(const std::vector<double>& x, const std::vector<double>& y);
/// (Σλ)²/Σλ² of the eigenvalues of a symmetric matrix = trace(C)²/‖C‖_F²; NaN for C = 0.
double participation_ratio(const std::vector<double>& eigenvalues);

}  // namespace ctscale::fit
