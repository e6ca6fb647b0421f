// Politeness on exact schedules (a ManualClock moved by the test, no wall time): the rate cap
// per target, a task's lower cap, back-off after an error, opt-out; concurrency slots handed over
// within one event-loop pass (io_context::poll, no timer runs out).
#include "agent/politeness/politeness.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace eo::agent {
namespace {

using namespace std::chrono_literals;
using Instant = Politeness::Instant;

constexpr time::TimeMs kT0 = 1'800'000'000'000;

// Steps the clock 1 ms at a time for `span` and lets through every request to `target` that may
// go at that instant; returns when each went, in ms from the first step.
std::vector<std::int64_t> admit_each_ms(Politeness& politeness, time::ManualClock& clock,
                                        const std::string& target, std::chrono::milliseconds span,
                                        double rate_cap = 0) {
  std::vector<std::int64_t> went;
  const auto start = clock.elapsed();
  for (auto t = 0ms; t < span; t += 1ms) {
    while (politeness.next_allowed(target) <= clock.elapsed()) {
      EXPECT_EQ(politeness.reserve(target, rate_cap), clock.elapsed());
      went.push_back(
          std::chrono::duration_cast<std::chrono::milliseconds>(clock.elapsed() - start).count());
    }
    clock.advance(1ms);
  }
  return went;
}

TEST(Politeness, TheRateCapAdmitsExactlyNRequestsPerSecondPerTarget) {
  time::ManualClock clock(kT0);
  PolitenessConfig config;
  config.max_requests_per_second_per_target = 5;
  Politeness politeness(config, clock);
  auto went = admit_each_ms(politeness, clock, "a", 3000ms);
  EXPECT_EQ(went, (std::vector<std::int64_t>{0, 200, 400, 600, 800, 1000, 1200, 1400, 1600, 1800,
                                             2000, 2200, 2400, 2600, 2800}));
  // Any second, wherever it starts, holds exactly 5.
  for (std::int64_t from = 0; from + 1000 <= 3000; ++from) {
    auto in = std::count_if(went.begin(), went.end(),
                            [&](std::int64_t t) { return t >= from && t < from + 1000; });
    ASSERT_EQ(in, 5) << "the second from " << from << " ms";
  }
}

TEST(Politeness, RequestsBookedTogetherGoOneSpacingApartAndTargetsDoNotShareACap) {
  time::ManualClock clock(kT0);
  PolitenessConfig config;
  config.max_requests_per_second_per_target = 5;
  Politeness politeness(config, clock);
  const Instant now = clock.elapsed();
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(politeness.reserve("a"), now + i * 200ms) << "request " << i;
  EXPECT_EQ(politeness.reserve("b"), now) << "another target waited for a's cap";
  EXPECT_EQ(politeness.next_allowed("a"), now + 1200ms);
  EXPECT_EQ(politeness.next_allowed("never-seen"), Instant::min());
}

TEST(Politeness, ATasksLowerCapSpacesItsRequestsAndAHigherOneDoesNot) {
  time::ManualClock clock(kT0);
  PolitenessConfig config;
  config.max_requests_per_second_per_target = 5;
  Politeness politeness(config, clock);
  EXPECT_EQ(admit_each_ms(politeness, clock, "a", 2000ms, 2),
            (std::vector<std::int64_t>{0, 500, 1000, 1500}));
  EXPECT_EQ(admit_each_ms(politeness, clock, "b", 1000ms, 50),
            (std::vector<std::int64_t>{0, 200, 400, 600, 800}));
}

TEST(Politeness, ASpacingThatIsNoWholeNumberOfMicrosecondsRoundsUp) {
  time::ManualClock clock(kT0);
  PolitenessConfig config;
  config.max_requests_per_second_per_target = 3;
  Politeness politeness(config, clock);
  const Instant now = clock.elapsed();
  EXPECT_EQ(politeness.reserve("a"), now);
  EXPECT_EQ(politeness.reserve("a"), now + 333'334us);
  EXPECT_EQ(politeness.reserve("a"), now + 666'668us);
  EXPECT_EQ(politeness.reserve("a"), now + 1'000'002us) << "a fourth request within one second";
}

TEST(Politeness, BackOffHoldsATargetExactlyForBackoffAfterError) {
  time::ManualClock clock(kT0);
  PolitenessConfig config;
  config.max_requests_per_second_per_target = 1000;
  config.backoff_after_error = 2000ms;
  Politeness politeness(config, clock);
  politeness.reserve("a");
  clock.advance(5ms);
  politeness.penalize("a");
  const Instant failed_at = clock.elapsed();
  EXPECT_EQ(politeness.next_allowed("a"), failed_at + 2000ms);
  EXPECT_LE(politeness.next_allowed("b"), clock.elapsed()) << "the back-off held another target";
  clock.advance(1999ms + 999us);
  EXPECT_GT(politeness.next_allowed("a"), clock.elapsed()) << "released 1 us early";
  clock.advance(1us);
  EXPECT_EQ(politeness.next_allowed("a"), clock.elapsed());
  EXPECT_EQ(politeness.reserve("a"), failed_at + 2000ms);
}

TEST(Politeness, BackOffNeverBringsABookedRequestForward) {
  time::ManualClock clock(kT0);
  PolitenessConfig config;
  config.max_requests_per_second_per_target = 0.1;  // 10 s apart
  config.backoff_after_error = 2000ms;
  Politeness politeness(config, clock);
  const Instant now = clock.elapsed();
  politeness.reserve("a");
  politeness.penalize("a");
  EXPECT_EQ(politeness.next_allowed("a"), now + 10s);
}

TEST(Politeness, AFreedSlotGoesToTheOldestWaiterInTheSamePass) {
  PolitenessConfig config;
  config.max_concurrency_per_target = 2;
  Politeness politeness(config);
  boost::asio::io_context io;
  std::vector<std::string> entered;
  auto enter = [&](std::string name, std::string target) {
    boost::asio::co_spawn(
        io,
        [&politeness, &entered, name, target]() -> boost::asio::awaitable<void> {
          co_await politeness.enter(target);
          entered.push_back(name);
        },
        boost::asio::detached);
  };
  for (const char* name : {"a1", "a2", "a3", "a4"}) enter(name, "a");
  enter("b1", "b");  // another target's slots are its own
  io.poll();
  EXPECT_EQ(entered, (std::vector<std::string>{"a1", "a2", "b1"}));

  politeness.leave("a");
  io.poll();
  EXPECT_EQ(entered, (std::vector<std::string>{"a1", "a2", "b1", "a3"}));
  enter("a5", "a");
  politeness.leave("a");  // a5 starts before a4 resumes, yet the freed slot is a4's already
  io.poll();
  EXPECT_EQ(entered, (std::vector<std::string>{"a1", "a2", "b1", "a3", "a4"}));
  politeness.leave("a");
  politeness.leave("a");
  io.poll();
  EXPECT_EQ(entered.back(), "a5");
  EXPECT_TRUE(io.stopped()) << "a waiter is still parked";
  // With nobody waiting, a freed slot is anyone's at once.
  io.restart();
  politeness.leave("a");
  enter("a6", "a");
  enter("a7", "a");
  io.poll();
  EXPECT_EQ(entered, (std::vector<std::string>{"a1", "a2", "b1", "a3", "a4", "a5", "a6", "a7"}));
  EXPECT_TRUE(io.stopped()) << "a waiter is still parked";
}

TEST(Politeness, AWaiterDestroyedWithItsLoopLeavesTheQueue) {
  PolitenessConfig config;
  config.max_concurrency_per_target = 1;
  Politeness politeness(config);
  const std::string target = "a";  // enter() keeps a reference until it returns
  {
    boost::asio::io_context io;
    for (int i = 0; i < 2; ++i) {
      boost::asio::co_spawn(io, politeness.enter(target), boost::asio::detached);
    }
    io.poll();
  }                       // the parked enter() goes with its io_context
  politeness.leave("a");  // must not touch the destroyed waiter
  boost::asio::io_context io;
  bool entered = false;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        co_await politeness.enter("a");
        entered = true;
      },
      boost::asio::detached);
  io.poll();
  EXPECT_TRUE(entered);
}

TEST(Politeness, OptOutIsCaseInsensitive) {
  PolitenessConfig config;
  config.opt_out_hosts = {"optout.example"};
  Politeness politeness(config);
  EXPECT_TRUE(politeness.opted_out("OptOut.Example"));
  EXPECT_FALSE(politeness.opted_out("other.example"));
  EXPECT_NE(config.describe().find("1 hosts opted out"), std::string::npos);
}

}  // namespace
}  // namespace eo::agent
