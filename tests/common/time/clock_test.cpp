// The clocks: ManualClock moves only when told, its two readings together; SystemClock reads the
// system's wall and steady clocks.
#include "common/time/clock.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace eo::time {
namespace {

using namespace std::chrono_literals;

constexpr TimeMs kT0 = 1'800'000'000'000;

TEST(ManualClock, MovesOnlyWhenToldAndItsReadingsMoveTogether) {
  ManualClock clock(kT0);
  EXPECT_EQ(clock.now(), kT0);
  EXPECT_EQ(clock.elapsed(), 0us);
  clock.advance(1500ms);
  EXPECT_EQ(clock.now(), kT0 + 1500);
  EXPECT_EQ(clock.elapsed(), 1500ms);
  // Steps below a millisecond add up on the wall reading too.
  clock.advance(600us);
  EXPECT_EQ(clock.now(), kT0 + 1500);
  clock.advance(400us);
  EXPECT_EQ(clock.now(), kT0 + 1501);
  EXPECT_EQ(clock.elapsed(), 1501ms);
}

TEST(ManualClock, SetMovesToAMillisecondAndNeverBack) {
  ManualClock clock(kT0);
  clock.set(kT0 + 5000);
  EXPECT_EQ(clock.now(), kT0 + 5000);
  EXPECT_EQ(clock.elapsed(), 5000ms);
  clock.advance(300us);
  clock.set(kT0 + 5000);  // already there: nothing moves back
  EXPECT_EQ(clock.elapsed(), 5000ms + 300us);
  EXPECT_THROW(clock.set(kT0 + 4999), std::invalid_argument);
  EXPECT_THROW(clock.advance(-1us), std::invalid_argument);
  EXPECT_EQ(clock.now(), kT0 + 5000);
}

TEST(SystemClock, ReadsTheSystemsClocks) {
  const Clock& clock = system_clock();
  const auto wall = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
  EXPECT_LE(std::abs(clock.now() - wall), 1000);
  const auto first = clock.elapsed();
  EXPECT_GE(clock.elapsed(), first);
}

}  // namespace
}  // namespace eo::time
