// Which targets a continuous campaign's round plans: listed now, or announced within K rounds.
#include "coordinator/campaign/standing.h"

#include <gtest/gtest.h>

namespace eo::coordinator {
namespace {

using Ids = std::vector<std::string>;
constexpr auto none = std::nullopt;

TEST(RoundTargets, ListedNowOrAnnouncedWithinKRoundsIsActive) {
  const std::vector<store::Standing> standings{
      {"listed-now", 10, none, 0, none},
      {"listed-before", 9, none, 0, none},
      {"announced-k-ago", none, 7, 8, none},
      {"announced-k+1-ago", none, 6, 7, none},
      {"both", 9, 8, 0, 5},  // gone before, announced since: back
      {"legacy", none, none, none, none},
  };
  auto sorted = sort_round_targets(standings, 10, 3);
  EXPECT_EQ(sorted.active, (Ids{"listed-now", "announced-k-ago", "both", "legacy"}));
  EXPECT_EQ(sorted.gone, (Ids{"listed-before", "announced-k+1-ago"}));
  EXPECT_EQ(sorted.unsighted, Ids{"legacy"});
}

TEST(RoundTargets, AnAnnouncementCountedAfterTheRoundWasPlannedKeepsItActive) {
  const std::vector<store::Standing> standings{{"late", none, 4, 1, none}};
  EXPECT_EQ(sort_round_targets(standings, 3, 1).active, Ids{"late"});
}

}  // namespace
}  // namespace eo::coordinator
