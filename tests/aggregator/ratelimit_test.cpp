// Rate-limit aggregation per target and vantage: the median threshold, the majority style, and
// ramps that were never throttled.
#include "aggregator/ratelimit/ratelimit.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace eo::aggregator::ratelimit {
namespace {

results::ObservationRow ramp(const std::string& id, const std::string& vantage,
                             std::optional<std::int64_t> threshold, const std::string& kind = "",
                             std::int64_t code = 0, const std::string& message = "") {
  results::ObservationRow r;
  r.observation_id = id;
  r.target_id = "tcp://a:1";
  r.vantage_id = vantage;
  r.probe_name = "rate_limit_ramp";
  r.ramp_throttled = threshold ? 1 : 0;
  r.ramp_threshold = threshold;
  r.ramp_kind = kind;
  nlohmann::json result = {{"throttled", threshold.has_value()}};
  if (threshold) {
    result["first_throttle"] = {{"kind", kind}, {"request_index", *threshold}};
    if (kind == "error") result["first_throttle"]["error"] = {{"code", code}, {"message", message}};
  }
  r.result_json = result.dump();
  return r;
}

TEST(RateLimit, StylesFromTheReference) {
  const auto& ref = reference::builtin_reference();
  EXPECT_EQ(style_of(ramp("a", "v", 30, "error", -101, "excessive resource usage"), ref),
            "electrumx_cost");
  EXPECT_EQ(style_of(ramp("a", "v", 30, "slowdown"), ref), "electrumx_cost");
  EXPECT_EQ(style_of(ramp("a", "v", 30, "error", 3,
                          "Excessive flood, please throttle your client implementation to not "
                          "do this"),
                     ref),
            "fulcrum_per_ip");
  EXPECT_EQ(style_of(ramp("a", "v", 30, "disconnect"), ref), "disconnect");
  EXPECT_EQ(style_of(ramp("a", "v", 30, "error", -32603, "busy"), ref), "other_error");
  EXPECT_EQ(style_of(ramp("a", "v", std::nullopt), ref), "none");
}

TEST(RateLimit, MedianThresholdAndMajorityStylePerVantage) {
  std::vector<results::ObservationRow> rows = {
      ramp("1", "eu", 40, "error", -101, "excessive resource usage"),
      ramp("2", "eu", 10, "disconnect"),
      ramp("3", "eu", 44, "error", -101, "excessive resource usage"),
      ramp("4", "us", std::nullopt),
      ramp("5", "us", std::nullopt),
  };
  rows.push_back(rows[0]);
  rows.back().probe_name = "latency";  // other probes are skipped
  auto limits = infer_rate_limits(rows, reference::builtin_reference());
  ASSERT_EQ(limits.size(), 2u);
  EXPECT_EQ(limits[0].vantage_id, "eu");
  EXPECT_EQ(limits[0].observations, 3u);
  EXPECT_EQ(limits[0].throttled, 3u);
  EXPECT_EQ(limits[0].threshold, 40);
  EXPECT_EQ(limits[0].style, "electrumx_cost");
  EXPECT_EQ(limits[0].evidence, (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(limits[1].vantage_id, "us");
  EXPECT_EQ(limits[1].throttled, 0u);
  EXPECT_FALSE(limits[1].threshold.has_value());
  EXPECT_EQ(limits[1].style, "none");
}

}  // namespace
}  // namespace eo::aggregator::ratelimit
