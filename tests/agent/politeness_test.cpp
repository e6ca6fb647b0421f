// Politeness: request spacing per target, concurrency slots, back-off, opt-out.
#include "agent/politeness/politeness.h"

#include "tests/support/run.h"

#include <gtest/gtest.h>

namespace eo::agent {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

TEST(Politeness, SpacesRequestsToOneTargetButNotAcrossTargets) {
  PolitenessConfig config;
  config.max_requests_per_second_per_target = 20;  // 50 ms apart
  Politeness politeness(config);
  auto elapsed = test::run<double>([&](asio::io_context&) -> asio::awaitable<double> {
    auto start = Clock::now();
    for (int i = 0; i < 5; ++i) co_await politeness.pace("a");
    for (int i = 0; i < 5; ++i) co_await politeness.pace("b" + std::to_string(i));
    co_return std::chrono::duration<double>(Clock::now() - start).count();
  });
  EXPECT_GE(elapsed, 0.19);  // four gaps of 50 ms for "a"; "b*" are distinct targets
  EXPECT_LT(elapsed, 0.5);
}

TEST(Politeness, BackOffDelaysTheNextRequest) {
  PolitenessConfig config;
  config.max_requests_per_second_per_target = 1000;
  config.backoff_after_error = std::chrono::milliseconds(150);
  Politeness politeness(config);
  politeness.penalize("a");
  auto elapsed = test::run<double>([&](asio::io_context&) -> asio::awaitable<double> {
    auto start = Clock::now();
    co_await politeness.pace("a");
    co_return std::chrono::duration<double>(Clock::now() - start).count();
  });
  EXPECT_GE(elapsed, 0.14);
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
