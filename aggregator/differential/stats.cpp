// The tolerance in fisher_exact keeps a table exactly as probable as the observed one (rounding
// aside) in the tail, as R's fisher.test does (relative 1e-7).
#include "aggregator/differential/stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace eo::aggregator::differential {

namespace {

double log_choose(double n, double k) {
  return std::lgamma(n + 1) - std::lgamma(k + 1) - std::lgamma(n - k + 1);
}

}  // namespace

double fisher_exact(std::uint64_t a, std::uint64_t b, std::uint64_t c, std::uint64_t d) {
  const double row1 = double(a + b), row2 = double(c + d), col1 = double(a + c);
  const double n = row1 + row2;
  if (row1 == 0 || row2 == 0 || col1 == 0 || col1 == n) return 1.0;
  auto log_p = [&](double x) {
    return log_choose(row1, x) + log_choose(row2, col1 - x) - log_choose(n, col1);
  };
  const double observed = log_p(double(a));
  const double lo = std::max(0.0, col1 - row2), hi = std::min(row1, col1);
  // log-sum-exp over the tables no more probable than the observed one; the observed one is among
  // them, so the shift by it keeps every term <= 1 (up to the tolerance).
  double sum = 0;
  for (double x = lo; x <= hi; ++x) {
    double lp = log_p(x);
    if (lp <= observed + 1e-7) sum += std::exp(lp - observed);
  }
  return std::min(1.0, std::exp(observed + std::log(sum)));
}

std::vector<double> benjamini_hochberg(std::span<const double> p) {
  const std::size_t m = p.size();
  std::vector<std::size_t> order(m);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](auto x, auto y) { return p[x] < p[y]; });
  std::vector<double> q(m);
  double running = 1.0;
  for (std::size_t rank = m; rank > 0; --rank) {
    std::size_t i = order[rank - 1];
    running = std::min(running, p[i] * double(m) / double(rank));
    q[i] = running;
  }
  return q;
}

}  // namespace eo::aggregator::differential
