#include "coordinator/campaign/power.h"

#include <gtest/gtest.h>

namespace eo::coordinator {
namespace {

TEST(DetectionPower, TheStrongestTableAndItsCorrection) {
  // Three regions, three rounds: a region refused every round has p = 1/84 at best.
  const auto three = detection_power(3, 3, 2);
  EXPECT_NEAR(three.best_p * 84, 1.0, 1e-9);
  EXPECT_EQ(three.tests, 2u * 5u * 3u);
  EXPECT_NEAR(three.best_q, 30.0 / 84, 1e-12);
  EXPECT_FALSE(three.detectable);
  EXPECT_EQ(three.rounds_needed, 5u);  // 1/C(15,5) x 30 = 0.01; four rounds give 0.06
  EXPECT_NE(describe(three).find("warning: "), std::string::npos) << describe(three);
  EXPECT_NE(describe(three).find("at least 5 rounds"), std::string::npos) << describe(three);

  // Six vantages, five rounds (docs/aggregator.md): p = 1/142,506.
  const auto six = detection_power(5, 6, 82);
  EXPECT_NEAR(six.best_p * 142506, 1.0, 1e-9);
  EXPECT_TRUE(six.detectable);
  EXPECT_EQ(describe(six).rfind("detection: ", 0), 0u) << describe(six);
}

TEST(DetectionPower, TwoVantagesCountBothExtremes) {
  const auto two = detection_power(4, 2, 1);
  EXPECT_NEAR(two.best_p, 2.0 / 70, 1e-12);  // C(8,4) = 70, both extremes as probable
}

TEST(DetectionPower, NothingWithOneVantageClassOrOneRound) {
  EXPECT_FALSE(detection_power(10, 1, 1).detectable);
  EXPECT_EQ(detection_power(10, 1, 1).rounds_needed, 0u);
  EXPECT_NE(describe(detection_power(10, 1, 1)).find("compares vantage classes"),
            std::string::npos);
  const auto one_round = detection_power(1, 20, 1);
  EXPECT_FALSE(one_round.detectable) << "the analysis needs the difference in two rounds";
  // Two rounds: p = 1/C(40,2) = 1/780 over 100 tests, q = 0.13; three: 1/C(60,3) suffices.
  EXPECT_EQ(one_round.rounds_needed, 3u);
}

}  // namespace
}  // namespace eo::coordinator
