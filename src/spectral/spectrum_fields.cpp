#include "ctscale/spectral/spectrum_fields.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ctscale::spectral {
namespace {

constexpr double epsilon = std::numeric_limits<double>::epsilon();  // 2⁻⁵²
constexpr std::size_t min_tail = 10;

/// KS distance of the sorted tail [first, end) of `x` (logs in `log_x`) to the fitted law.
double ks_distance(const std::vector<double>& log_x, std::size_t first, double alpha) {
    const std::size_t t = log_x.size() - first;
    const double log_min = log_x[first];
    double d = 0.0;
    for (std::size_t i = 1; i <= t; ++i) {
        const double cdf = 1.0 - std::exp((1.0 - alpha) * (log_x[first + i - 1] - log_min));
        d = std::max({d, static_cast<double>(i) / t - cdf, cdf - static_cast<double>(i - 1) / t});
    }
    return d;
}

}  // namespace

PowerLawFit fit_power_law(std::vector<double> values) {
    PowerLawFit best;
    if (values.size() < min_tail) return best;
    std::sort(values.begin(), values.end());
    std::vector<double> log_x(values.size());
    for (std::size_t i = 0; i < values.size(); ++i) log_x[i] = std::log(values[i]);
    double best_d = std::numeric_limits<double>::infinity();
    for (std::size_t first = 0; values.size() - first >= min_tail; ++first) {
        if (first > 0 && values[first] == values[first - 1]) continue;  // distinct x_min only
        const std::size_t t = values.size() - first;
        double sum = 0.0;
        for (std::size_t i = first; i < values.size(); ++i) sum += log_x[i] - log_x[first];
        if (!(sum > 0.0)) continue;  // a constant tail has no finite α
        const double alpha = 1.0 + static_cast<double>(t) / sum;
        const double d = ks_distance(log_x, first, alpha);
        if (d < best_d) {  // strict: on a tie the earlier, smaller x_min stays
            best_d = d;
            best = {alpha, d, static_cast<double>(t), values[first]};
        }
    }
    return best;
}

void fill_pr_fields(SpectralResult& result, double frobenius_sq, double gram_sq, double sigma1) {
    result.pr_sv = gram_sq > 0.0 ? frobenius_sq * frobenius_sq / gram_sq : not_computed;
    result.spectral_norm = sigma1;
    result.stable_rank = sigma1 > 0.0 ? frobenius_sq / (sigma1 * sigma1) : not_computed;
}

std::vector<double> singular_values_from_gram(const std::vector<double>& eigenvalues_ascending,
                                              std::int64_t larger_side) {
    std::vector<double> sigma(eigenvalues_ascending.rbegin(), eigenvalues_ascending.rend());
    for (double& s : sigma) s = std::sqrt(std::max(s, 0.0));
    if (sigma.empty()) return sigma;
    const double floor = std::min(std::sqrt(static_cast<double>(larger_side) * epsilon), 1e-6) * sigma.front();
    for (double& s : sigma) {
        if (s <= floor) s = 0.0;
    }
    return sigma;
}

void fill_full_fields(SpectralResult& result, std::vector<double> singular_values, std::int64_t m, std::int64_t n,
                      double frobenius_sq) {
    std::sort(singular_values.begin(), singular_values.end(), std::greater<>());
    const double big_n = static_cast<double>(std::max(m, n));
    const double sigma1 = singular_values.empty() ? 0.0 : singular_values.front();
    result.spectral_norm = sigma1;
    result.stable_rank = sigma1 > 0.0 ? frobenius_sq / (sigma1 * sigma1) : not_computed;

    double nuclear = 0.0;
    for (double s : singular_values) nuclear += s;
    result.nuclear_norm = nuclear;
    if (nuclear > 0.0) {
        double entropy = 0.0;
        for (double s : singular_values) {
            if (s > 0.0) entropy -= (s / nuclear) * std::log(s / nuclear);
        }
        result.effective_rank = std::exp(entropy);
    }

    // ESD λ = σ²/N over the numerically positive σ > N·ε·σ₁.
    std::vector<double> esd;
    for (double s : singular_values) {
        if (s > big_n * epsilon * sigma1) esd.push_back(s * s / big_n);
    }
    const double lambda_max = sigma1 * sigma1 / big_n;
    const PowerLawFit fit = fit_power_law(esd);
    result.alpha = fit.alpha;
    result.alpha_ks = fit.ks;
    result.alpha_tail = fit.tail;
    if (lambda_max > 0.0) {
        result.log_spectral_norm = std::log10(lambda_max);
        result.alpha_weighted = fit.alpha * result.log_spectral_norm;
    }

    const double r = static_cast<double>(std::min(m, n));
    const double v = frobenius_sq / (static_cast<double>(m) * static_cast<double>(n));
    result.mp_edge = v * (1.0 + std::sqrt(r / big_n)) * (1.0 + std::sqrt(r / big_n));
    double spikes = 0.0;
    for (double s : singular_values) {
        if (s * s / big_n > result.mp_edge) spikes += 1.0;
    }
    result.n_spikes = spikes;
    result.mp_softrank = lambda_max > 0.0 ? result.mp_edge / lambda_max : not_computed;
    result.singular_values = std::move(singular_values);
}

}  // namespace ctscale::spectral
