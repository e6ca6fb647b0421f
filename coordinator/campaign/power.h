// What a campaign's rounds can detect. The differential analysis (docs/aggregator.md) tests each
// target, dimension and vantage against the rest with Fisher's exact test and corrects the
// p-values of all its tests together (Benjamini-Hochberg). The strongest evidence a campaign can
// produce is one vantage treated differently in every round and the rest never; whether even
// that survives the correction depends only on rounds, vantage classes and the number of tests,
// so it is known when the campaign is submitted.
#pragma once

#include <cstdint>
#include <string>

namespace eo::coordinator {

struct DetectionPower {
  std::uint32_t rounds = 0;
  std::uint32_t vantage_classes = 0;
  std::uint64_t tests = 0;          // targets x dimensions x vantage classes
  double best_p = 1;                // two-sided Fisher p of the strongest possible table
  double best_q = 1;                // that p corrected as the one discovery among `tests`
  bool detectable = false;          // best_q <= alpha (and at least min_rounds rounds)
  std::uint32_t rounds_needed = 0;  // fewest rounds that make it detectable; 0: none <= 1000
};

inline constexpr std::uint32_t kDifferentialDimensions = 5;  // reachability, content, error,
                                                             // rate limit, latency
inline constexpr std::uint32_t kDifferentialMinRounds = 2;   // the analysis' min_rounds

DetectionPower detection_power(std::uint32_t rounds, std::uint32_t vantage_classes,
                               std::uint64_t targets, double alpha = 0.05);

// One line for the person submitting: what can be detected, or a warning that nothing can and
// how many rounds it would take.
std::string describe(const DetectionPower& power);
// The same for a continuous campaign, whose power grows with each round: from which round on the
// strongest evidence is detectable.
std::string describe_continuous(std::uint32_t vantage_classes, std::uint64_t targets);

}  // namespace eo::coordinator
