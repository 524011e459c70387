#include "ctscale/fit/statistics.hpp"

#include <algorithm>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <limits>
#include <numeric>

namespace ctscale::fit {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

std::vector<double> average_ranks(const std::vector<double>& values) {
    std::vector<std::size_t> order(values.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return values[a] < values[b]; });
    std::vector<double> ranks(values.size());
    for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i;
        while (j + 1 < order.size() && values[order[j + 1]] == values[order[i]]) ++j;
        const double average = (double(i) + double(j)) / 2.0 + 1.0;
        for (std::size_t t = i; t <= j; ++t) ranks[order[t]] = average;
        i = j + 1;
    }
    return ranks;
}

double correlation(const std::vector<double>& x, const std::vector<double>& y) {
    const double mx = mean(x), my = mean(y);
    double sxy = 0, sxx = 0, syy = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    if (sxx == 0 || syy == 0) return nan;
    return std::clamp(sxy / std::sqrt(sxx * syy), -1.0, 1.0);
}

}  // namespace

double median(std::vector<double> values) {
    std::erase_if(values, [](double v) { return !std::isfinite(v); });
    if (values.empty()) return nan;
    const std::size_t half = values.size() / 2;
    std::nth_element(values.begin(), values.begin() + half, values.end());
    const double upper = values[half];
    if (values.size() % 2) return upper;
    const double lower = *std::max_element(values.begin(), values.begin() + half);
    return (lower + upper) / 2.0;
}

double mean(const std::vector<double>& values) {
    if (values.empty()) return nan;
    return std::accumulate(values.begin(), values.end(), 0.0) / double(values.size());
}

double sample_std(const std::vector<double>& values) {
    if (values.size() < 2) return nan;
    const double m = mean(values);
    double sum = 0;
    for (double v : values) sum += (v - m) * (v - m);
    return std::sqrt(sum / double(values.size() - 1));
}

Correlation pearson(const std::vector<double>& x, const std::vector<double>& y) {
    if (x.size() < 3) return {nan, nan};
    const double r = correlation(x, y);
    if (std::isnan(r)) return {nan, nan};
    const double dof = double(x.size() - 2);
    if (std::fabs(r) == 1.0) return {r, 0.0};
    const double t = r * std::sqrt(dof / ((1 - r) * (1 + r)));
    boost::math::students_t distribution(dof);
    return {r, 2.0 * boost::math::cdf(boost::math::complement(distribution, std::fabs(t)))};
}

double spearman(const std::vector<double>& x, const std::vector<double>& y) {
    if (x.size() < 2) return nan;
    return correlation(average_ranks(x), average_ranks(y));
}

double participation_ratio(const std::vector<double>& eigenvalues) {
    double sum = 0, squares = 0;
    for (double l : eigenvalues) {
        sum += l;
        squares += l * l;
    }
    return squares > 0 ? sum * sum / squares : nan;
}

}  // namespace ctscale::fit
