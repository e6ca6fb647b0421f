// The strongest table: the vantage differs in all R rounds, the other V-1 never. Its probability
// under the null is 1 / C(RV, R); for V = 2 the mirror table is as probable, so the two-sided p
// doubles. As the only discovery among m tests, Benjamini-Hochberg gives it q = p x m.
#include "coordinator/campaign/power.h"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace eo::coordinator {
namespace {

double log_choose(double n, double k) {
  return std::lgamma(n + 1) - std::lgamma(k + 1) - std::lgamma(n - k + 1);
}

double best_p(std::uint32_t rounds, std::uint32_t vantages) {
  if (rounds == 0 || vantages < 2) return 1;
  const double p = std::exp(-log_choose(double(rounds) * vantages, rounds));
  return std::min(1.0, vantages == 2 ? 2 * p : p);
}

bool detects(std::uint32_t rounds, std::uint32_t vantages, std::uint64_t tests, double alpha) {
  return rounds >= kDifferentialMinRounds && vantages >= 2 &&
         best_p(rounds, vantages) * double(tests) <= alpha;
}

std::string scientific(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2g", value);
  return text;
}

}  // namespace

DetectionPower detection_power(std::uint32_t rounds, std::uint32_t vantage_classes,
                               std::uint64_t targets, double alpha) {
  DetectionPower out;
  out.rounds = rounds;
  out.vantage_classes = vantage_classes;
  out.tests = targets * kDifferentialDimensions * vantage_classes;
  out.best_p = best_p(rounds, vantage_classes);
  out.best_q = std::min(1.0, out.best_p * double(out.tests));
  out.detectable = detects(rounds, vantage_classes, out.tests, alpha);
  for (std::uint32_t r = kDifferentialMinRounds; r <= 1000 && vantage_classes >= 2; ++r) {
    if (detects(r, vantage_classes, out.tests, alpha)) {
      out.rounds_needed = r;
      break;
    }
  }
  return out;
}

std::string describe(const DetectionPower& power) {
  std::ostringstream out;
  if (power.vantage_classes < 2) {
    out << "warning: differential treatment cannot be detected: it compares vantage classes, "
           "and this campaign has "
        << power.vantage_classes;
    return out.str();
  }
  out << (power.detectable ? "detection: " : "warning: ") << power.rounds << " rounds x "
      << power.vantage_classes << " vantage classes: a vantage treated differently in every "
      << "round gives at best p = " << scientific(power.best_p)
      << ", q = " << scientific(power.best_q) << " over " << power.tests << " tests";
  if (power.detectable) {
    out << ": detectable (fewer differing rounds, or more tests, may not be)";
  } else if (power.rounds_needed > 0) {
    out << ": no differential treatment can be detected; it takes at least " << power.rounds_needed
        << " rounds";
  } else {
    out << ": no differential treatment can be detected with up to 1000 rounds";
  }
  return out.str();
}

std::string describe_continuous(std::uint32_t vantage_classes, std::uint64_t targets) {
  const DetectionPower power = detection_power(1, vantage_classes, targets);
  if (power.vantage_classes < 2) return describe(power);
  std::ostringstream out;
  out << "detection: continuous, " << power.vantage_classes << " vantage classes, " << power.tests
      << " tests: ";
  if (power.rounds_needed > 0) {
    out << "a vantage treated differently in every round becomes detectable from round "
        << power.rounds_needed << " on";
  } else {
    out << "warning: no differential treatment can be detected within 1000 rounds";
  }
  return out.str();
}

}  // namespace eo::coordinator
