// The round planner: counts, determinism, per-round order, the sync window, onion targets,
// ramp staggering, payloads and the politeness bound.
#include "coordinator/campaign/planner.h"

#include "common/canary/derive.h"
#include "coordinator/targets/target_list.h"
#include "eo/v1/task.pb.h"
#include "tests/coordinator/campaign/known_probes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

namespace eo::coordinator {
namespace {

constexpr store::TimeMs kStart = 1'700'000'000'000;

CampaignSpec make_spec(const std::string& extra = "") {
  return parse_campaign_yaml(
      "name: c1\n"
      "targets: {builtin: true}\n"
      "vantages:\n"
      "  - {region: eu, network: clearnet}\n"
      "  - {region: us, network: clearnet}\n"
      "  - {network: tor}\n" +
          extra,
      "c.yaml", registry_probes());
}

std::vector<store::Target> make_targets() {
  return {parse_target("a.example:50002:s", "inline", "t"),
          parse_target("b.example:50002:s", "inline", "t"),
          parse_target("c.example:50001:t", "inline", "t"),
          parse_target("abcdefghijklmnop.onion:50002:s", "inline", "t")};
}

std::string key_of(const PlannedTask& t) {
  return t.target_id + "|" + t.vantage_class + "|" + t.profile + "|" + t.probe;
}

TEST(Planner, OneTaskPerTargetClassProfileProbe) {
  auto spec = make_spec("profiles: [{name: p1}, {name: p2}]\n");
  auto targets = make_targets();
  auto tasks = plan_round(spec, targets, 0, kStart, 7);
  const std::size_t all = registry_probes().size();  // 8; tls_certificate needs TLS
  // Two TLS clearnet targets x 3 classes, one TCP x 3 classes, the onion x tor only; x 2 profiles.
  EXPECT_EQ(tasks.size(), 2 * (2 * 3 * all + 3 * (all - 1) + 1 * all));
  std::set<std::string> ids;
  for (const auto& t : tasks) {
    EXPECT_TRUE(ids.insert(t.id).second) << t.id;
    EXPECT_EQ(t.id.find('#'), std::string::npos);
    EXPECT_EQ(t.campaign_id, "c1");
    EXPECT_EQ(t.round, 0u);
    EXPECT_EQ(t.id, planned_task_id("c1", 0, t.target_id, t.vantage_class, t.profile, t.probe));
    if (t.target_id == "tcp://c.example:50001") {
      EXPECT_NE(t.probe, "tls_certificate");
    }
  }
  EXPECT_EQ(to_new_tasks(tasks).size(), tasks.size());
}

TEST(Planner, DeterministicForASeed) {
  auto spec = make_spec();
  auto targets = make_targets();
  auto a = plan_round(spec, targets, 3, kStart, 42);
  auto b = plan_round(spec, targets, 3, kStart, 42);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].id, b[i].id);
    EXPECT_EQ(a[i].not_before_ms, b[i].not_before_ms);
    EXPECT_EQ(a[i].payload, b[i].payload);
  }
  auto c = plan_round(spec, targets, 3, kStart, 43);
  bool differs = false;
  for (std::size_t i = 0; i < a.size(); ++i) differs |= a[i].id != c[i].id;
  EXPECT_TRUE(differs) << "another seed gives another order";
}

TEST(Planner, OrderDiffersAcrossRounds) {
  auto spec = make_spec();
  auto targets = make_targets();
  std::set<std::vector<std::string>> orders;
  for (std::uint32_t round = 0; round < 4; ++round) {
    std::vector<std::string> order;
    for (const auto& t : plan_round(spec, targets, round, kStart, 42)) order.push_back(key_of(t));
    orders.insert(order);
  }
  EXPECT_EQ(orders.size(), 4u);
}

TEST(Planner, EveryClassProbesEveryTargetWithinTheWindow) {
  auto spec = make_spec("sync_window_s: 30\n");
  auto targets = make_targets();
  auto tasks = plan_round(spec, targets, 1, kStart, 9);
  std::map<std::string, std::vector<store::TimeMs>> group;  // (target, profile, probe) -> times
  for (const auto& t : tasks) {
    EXPECT_GE(t.not_before_ms, kStart);
    EXPECT_LT(t.not_before_ms, kStart + 30'000);
    if (!t.ramp) group[t.target_id + "|" + t.probe].push_back(t.not_before_ms);
  }
  for (std::size_t i = 1; i < tasks.size(); ++i) {
    EXPECT_LE(tasks[i - 1].not_before_ms, tasks[i].not_before_ms) << "sorted in lease order";
  }
  // The vantage classes probe one (target, probe) at nearly the same moment.
  for (const auto& [key, times] : group) {
    auto [lo, hi] = std::minmax_element(times.begin(), times.end());
    EXPECT_LE(*hi - *lo, 2) << key;
  }
}

TEST(Planner, OnionTargetsGetOnlyTorClasses) {
  auto spec = make_spec();
  auto targets = make_targets();
  EXPECT_EQ(vantage_classes_for(spec, targets[3]), std::vector<std::string>{"network=tor"});
  EXPECT_EQ(vantage_classes_for(spec, targets[0]).size(), 3u);
  for (const auto& t : plan_round(spec, targets, 0, kStart, 1)) {
    if (t.target_id.find(".onion") != std::string::npos) {
      EXPECT_EQ(t.vantage_class, "network=tor");
    }
  }
  // Without a tor class, an onion target gets no tasks at all.
  auto clear = parse_campaign_yaml("name: c2\ntargets: {builtin: true}\nvantages: [{}]\n", "c.yaml",
                                   registry_probes());
  auto only_onion = std::vector<store::Target>{targets[3]};
  EXPECT_TRUE(plan_round(clear, only_onion, 0, kStart, 1).empty());
}

TEST(Planner, RampTasksAreFlaggedAndStaggered) {
  auto spec = make_spec("profiles: [{name: p1}, {name: p2}]\n");
  auto targets = make_targets();
  for (std::uint32_t round = 0; round < 5; ++round) {
    std::map<std::string, std::vector<store::TimeMs>> ramps;
    for (const auto& t : plan_round(spec, targets, round, kStart, 5)) {
      EXPECT_EQ(t.ramp, t.probe == kRampProbe);
      if (t.ramp) ramps[t.target_id].push_back(t.not_before_ms);
    }
    for (auto& [target, times] : ramps) {
      std::sort(times.begin(), times.end());
      const std::int64_t spacing = 60'000 / std::int64_t(times.size());  // 6 (clear) or 2 (onion)
      for (std::size_t i = 1; i < times.size(); ++i) {
        EXPECT_EQ(times[i] - times[i - 1], spacing) << target;
      }
    }
  }
}

TEST(Planner, PayloadIsAnEoTask) {
  auto spec = make_spec(
      "params: {rate_limit_ramp: {max_requests: 500}, latency: {pings: 3}}\n"
      "politeness: {max_requests_per_second_per_target: 3, max_ramp_requests: 120}\n"
      "profiles: [{name: wallet, client_name: electrum/4.3.4, protocol_max: \"1.4\"}]\n");
  auto targets = make_targets();
  std::map<std::string, std::uint32_t> versions;
  for (const auto& probe : registry_probes()) versions[probe.name] = probe.version;
  for (const auto& t : plan_round(spec, targets, 2, kStart, 11)) {
    eo::v1::Task task;
    ASSERT_TRUE(task.ParseFromString(t.payload));
    EXPECT_EQ(task.task_id(), t.id);
    EXPECT_EQ(task.campaign_id(), "c1");
    EXPECT_EQ(task.round(), 2u);
    EXPECT_EQ(task.target().id(), t.target_id);
    EXPECT_EQ(task.client_profile().client_name(), "electrum/4.3.4");
    ASSERT_EQ(task.probes_size(), 1);
    EXPECT_EQ(task.probes(0).name(), t.probe);
    EXPECT_EQ(task.probes(0).version(), versions.at(t.probe)) << "the agent's registry's version";
    EXPECT_EQ(task.not_before_unix_us(), t.not_before_ms * 1000);
    EXPECT_EQ(task.deadline_unix_us(), (kStart + 60'000) * 1000);
    const double classes = t.target_id.find(".onion") != std::string::npos ? 1 : 3;
    EXPECT_DOUBLE_EQ(task.politeness().max_requests_per_second_per_target(), 3 / classes);
    if (t.probe == kRampProbe) {
      EXPECT_EQ(task.probes(0).params().at("max_requests"), "120");
    }
    if (t.probe == "latency") {
      EXPECT_EQ(task.probes(0).params().at("pings"), "3");
    }
  }
}

TEST(Planner, CanaryProbesCarryTheirIssuancesKeyOnly) {
  const std::string secret_hex(64, 'a');
  auto spec = make_spec("canary_secret: " + secret_hex + "\n");
  const bitcoin::Bytes secret(32, 0xaa);
  std::set<std::string> keys;
  std::size_t with_key = 0;
  for (const auto& t : plan_round(spec, make_targets(), 3, kStart, 5)) {
    eo::v1::Task task;
    ASSERT_TRUE(task.ParseFromString(t.payload));
    const auto& params = task.probes(0).params();
    if (t.probe != "address_formats" && t.probe != "xpub_gap_scan") {
      EXPECT_EQ(params.count("canary_key"), 0u) << t.id;
      continue;
    }
    ASSERT_EQ(params.count("canary_key"), 1u) << t.id;
    ++with_key;
    const auto expected = canary::task_key(secret, {"c1", t.target_id, t.vantage_class, 3});
    EXPECT_EQ(params.at("canary_key"), canary::to_hex(expected));
    EXPECT_EQ(task.campaign_secret_id(), canary::secret_id(secret));
    EXPECT_EQ(task.SerializeAsString().find(std::string(32, '\xaa')), std::string::npos);
    keys.insert(params.at("canary_key"));
  }
  // 3 clearnet targets x 3 classes + the onion x tor, two probes each sharing their key.
  EXPECT_EQ(with_key, 2u * (3 * 3 + 1));
  EXPECT_EQ(keys.size(), 3u * 3 + 1);
  for (const auto& t : plan_round(make_spec(), make_targets(), 3, kStart, 5)) {
    eo::v1::Task task;
    ASSERT_TRUE(task.ParseFromString(t.payload));
    EXPECT_EQ(task.probes(0).params().count("canary_key"), 0u);
  }
}

TEST(Planner, RampDurationFollowsTheRampSchedule) {
  EXPECT_EQ(ramp_duration_ms(0), 0);
  EXPECT_EQ(ramp_duration_ms(20), 4000);  // 20 requests at 5/s
  EXPECT_EQ(ramp_duration_ms(40), 4000 + 2667);
  // 5, 7.5, 11.25, 16.875, 25.3125, 37.97 (x20 each), then 80 at the 50/s ceiling.
  EXPECT_EQ(ramp_duration_ms(200), 12547);
}

TEST(Planner, PolitenessBoundArithmetic) {
  auto spec = make_spec(
      "probes: [metadata, xpub_gap_scan, rate_limit_ramp]\n"
      "rounds: 3\nround_spacing_s: 100\n"
      "politeness: {max_requests_per_second_per_target: 1}\n");
  auto one = std::vector<store::Target>{make_targets()[0]};
  // 3 classes x (9 + 31) requests at 1/s = 120 s; 3 ramps x 12.547 s; window 60 s.
  EXPECT_EQ(round_politeness_bound_ms(spec, one), 120'000);
  // Rounds cannot start closer than the round takes: 2 x 120 s + 120 s.
  EXPECT_EQ(politeness_bound_ms(spec, one), 360'000);

  spec.round_spacing_s = 3600;
  EXPECT_EQ(politeness_bound_ms(spec, one), 2 * 3'600'000 + 120'000);

  // Ramps dominate when the rate cap is loose: 3 x 12547 ms; the window is the floor.
  spec.politeness.max_requests_per_second_per_target = 100;
  EXPECT_EQ(round_politeness_bound_ms(spec, one), 60'000);
  spec.sync_window_s = 10;
  EXPECT_EQ(round_politeness_bound_ms(spec, one), 3 * 12'547);
  spec.politeness.max_ramp_requests = 20;
  EXPECT_EQ(round_politeness_bound_ms(spec, one), std::max<std::int64_t>(10'000, 3 * 4'000));

  // The busiest target sets the bound; the onion is probed by one class only.
  auto all = make_targets();
  spec = make_spec("probes: [metadata]\npoliteness: {max_requests_per_second_per_target: 0.1}\n");
  EXPECT_EQ(round_politeness_bound_ms(spec, all), 270'000);  // 3 x 9 requests at 0.1/s
  auto onion = std::vector<store::Target>{all[3]};
  EXPECT_EQ(round_politeness_bound_ms(spec, onion), 90'000);
}

TEST(Planner, RampsTakeAsLongAsTheirPathWasSeenToMakeThem) {
  auto spec = make_spec("probes: [rate_limit_ramp]\nsync_window_s: 10\n");
  auto one = std::vector<store::Target>{make_targets()[0]};
  const auto classes = vantage_classes_for(spec, one[0]);
  ASSERT_EQ(classes.size(), 3u);
  EXPECT_EQ(round_politeness_bound_ms(spec, one), 3 * 12'547);
  // One path took 70 s (a reply every 350 ms), one was quicker than the schedule (its own
  // schedule still paces it), one was never seen.
  RampTimes seen = [&](const store::Target&, const std::string& vantage_class) -> std::int64_t {
    if (vantage_class == classes[0]) return 70'000;
    if (vantage_class == classes[1]) return 9'000;
    return 0;
  };
  EXPECT_EQ(round_politeness_bound_ms(spec, one, seen), 70'000 + 2 * 12'547);
  spec.rounds = 2;
  spec.round_spacing_s = 30;
  EXPECT_EQ(politeness_bound_ms(spec, one, seen), 2 * (70'000 + 2 * 12'547));
}

}  // namespace
}  // namespace eo::coordinator
