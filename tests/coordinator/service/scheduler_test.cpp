// The scheduler over a real SQLite store: submission, rounds when due, vantage matching, leases,
// expiry to another agent of the class, completion, cancellation and resuming after a restart.
#include "coordinator/service/scheduler.h"

#include "common/store/factory.h"
#include "common/time/clock.h"
#include "eo/v1/task.pb.h"
#include "tests/coordinator/campaign/known_probes.h"
#include "tests/support/process.h"

#include <gtest/gtest.h>

#include <fstream>
#include <optional>
#include <set>

namespace eo::coordinator {
namespace {

constexpr store::TimeMs kT0 = 1'800'000'000'000;

std::string campaign_yaml(const std::string& name, int rounds = 3) {
  return "name: " + name +
         "\n"
         "targets: {list: [\"a.example:50002:s\", \"b.example:50001:t\"]}\n"
         "probes: [metadata, latency]\n"
         "vantages: [{region: eu}, {network: tor}]\n"
         "rounds: " +
         std::to_string(rounds) +
         "\n"
         "round_spacing_s: 10\n"
         "sync_window_s: 5\n"
         "politeness: {max_requests_per_second_per_target: 100, max_concurrency_per_target: 8}\n";
}

v1::Vantage vantage(const std::string& id, const std::string& region, bool tor = false) {
  v1::Vantage v;
  v.set_id(id);
  v.set_region(region);
  v.set_network(tor ? v1::NETWORK_TOR : v1::NETWORK_CLEARNET);
  return v;
}

class SchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override { open(); }
  void open() {
    scheduler_.reset();
    store_ = store::make_store("sqlite:" + dir_.file("state.sqlite"));
    SchedulerOptions options;
    options.known_probes = registry_probes();
    options.lease_ms = 5000;
    options.builtin_servers_json = dir_.file("servers.json");
    scheduler_ = std::make_unique<Scheduler>(*store_, options);
  }
  // Leases everything ready for one vantage at `now`.
  std::vector<v1::TaskLease> lease_all(const std::string& agent, const v1::Vantage& v,
                                       store::TimeMs now) {
    auto bindings = scheduler_->bindings({v});
    return scheduler_->lease(bindings, agent, now, 1000);
  }
  // The ids of the targets `round` planned: leases what both classes may take at `now` (and
  // completes it, so the next call sees only newer tasks).
  std::set<std::string> planned_in(std::uint32_t round, store::TimeMs now) {
    auto leases = lease_all("a1", vantage("eu1", "eu"), now);
    auto tor = lease_all("a2", vantage("t1", "eu", true), now);
    leases.insert(leases.end(), tor.begin(), tor.end());
    const std::string tag = "|r" + std::to_string(round) + "|";
    std::set<std::string> out;
    for (const auto& lease : leases) {
      const std::string& id = lease.task().task_id();
      if (auto at = id.find(tag); at != std::string::npos) {
        const auto start = at + tag.size();
        out.insert(id.substr(start, id.find('|', start) - start));
      }
      EXPECT_TRUE(scheduler_->complete(lease.lease_id(), true, "", now));
    }
    return out;
  }
  // Electrum's list as the coordinator reads it at the next round: one TLS port per host.
  void write_servers(const std::vector<std::string>& hosts) {
    std::ofstream out(dir_.file("servers.json"), std::ios::trunc);
    out << "{";
    for (std::size_t i = 0; i < hosts.size(); ++i) {
      out << (i ? "," : "") << "\"" << hosts[i] << "\": {\"s\": \"50002\", \"version\": \"1.4\"}";
    }
    out << "}";
  }
  std::optional<std::uint32_t> gone_round(const std::string& campaign, const std::string& target) {
    for (const auto& s : scheduler_->standings(campaign)) {
      if (s.target_id == target) return s.gone_round;
    }
    ADD_FAILURE() << target << " is not a target of " << campaign;
    return std::nullopt;
  }

  test::TempDir dir_;
  std::unique_ptr<store::StateStore> store_;
  std::unique_ptr<Scheduler> scheduler_;
};

TEST_F(SchedulerTest, SubmitStoresTargetsAndRoundZeroAndRuns) {
  auto campaign = scheduler_->submit(campaign_yaml("c1"), "c1.yaml", "", kT0);
  EXPECT_EQ(campaign.state, store::CampaignState::running);
  auto status = scheduler_->status("c1");
  EXPECT_EQ(status.state(), "running");
  EXPECT_EQ(status.rounds_total(), 3u);
  // 2 targets x 2 probes x 2 classes.
  EXPECT_EQ(status.tasks_total(), 8u);
  EXPECT_EQ(scheduler_->targets("c1").size(), 2u);
}

TEST_F(SchedulerTest, RefusesAReusedNameAndACampaignWithoutTargets) {
  scheduler_->submit(campaign_yaml("c1"), "c1.yaml", "", kT0);
  try {
    scheduler_->submit(campaign_yaml("c1"), "again.yaml", "", kT0);
    FAIL() << "a reused name was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("again.yaml: name"), std::string::npos) << e.what();
  }
  std::string opted_out = campaign_yaml("c2") + "opt_out: [a.example, b.example]\n";
  EXPECT_THROW(scheduler_->submit(opted_out, "c2.yaml", "", kT0), std::invalid_argument);
  EXPECT_THROW(scheduler_->status("nope"), std::invalid_argument);
}

TEST_F(SchedulerTest, CreatesEachRoundWhenItIsDue) {
  auto campaign = scheduler_->submit(campaign_yaml("c1"), "c1.yaml", "", kT0);
  store::TimeMs round1 = scheduler_->next_round_start(campaign, kT0);
  EXPECT_GE(round1 - campaign.created_ms, 10'000);
  EXPECT_EQ(scheduler_->tick(round1 - 1).rounds_started, 0u);
  auto report = scheduler_->tick(round1);
  EXPECT_EQ(report.rounds_started, 1u);
  EXPECT_EQ(report.tasks_created, 8u);
  EXPECT_EQ(scheduler_->status("c1").round(), 1u);
  // Far in the future: only the rounds the campaign has.
  report = scheduler_->tick(kT0 + 3'600'000);
  EXPECT_EQ(report.rounds_started, 1u);
  EXPECT_EQ(scheduler_->status("c1").tasks_total(), 24u);
}

TEST_F(SchedulerTest, BindsVantagesToTheClassesTheyMatch) {
  scheduler_->submit(campaign_yaml("c1"), "c1.yaml", "", kT0);
  auto eu = scheduler_->bindings({vantage("eu1", "eu")});
  ASSERT_EQ(eu.size(), 1u);
  EXPECT_EQ(eu[0].queue, queue_name("c1", "region=eu,network=clearnet"));
  EXPECT_EQ(eu[0].vantage_id, "eu1");
  auto tor = scheduler_->bindings({vantage("t1", "us", true)});
  ASSERT_EQ(tor.size(), 1u);
  EXPECT_EQ(tor[0].queue, queue_name("c1", "network=tor"));
  EXPECT_TRUE(scheduler_->bindings({vantage("us1", "us")}).empty());
  EXPECT_EQ(scheduler_->bindings({vantage("us1", "us"), vantage("eu1", "eu")}).size(), 1u);
}

TEST_F(SchedulerTest, LeasesCarryTheVantageAndCompleteOnce) {
  auto campaign = scheduler_->submit(campaign_yaml("c1", 1), "c1.yaml", "", kT0);
  store::TimeMs window_end = campaign.created_ms + 5000;
  auto leases = lease_all("a1", vantage("eu1", "eu"), window_end);
  ASSERT_EQ(leases.size(), 4u);
  std::set<std::string> probes;
  for (const auto& lease : leases) {
    EXPECT_EQ(lease.task().vantage_id(), "eu1");
    EXPECT_EQ(lease.task().campaign_id(), "c1");
    EXPECT_FALSE(lease.task().task_id().empty());
    EXPECT_EQ(lease.lease_expires_unix_us(), (window_end + 5000) * 1000);
    probes.insert(lease.task().probes(0).name());
  }
  EXPECT_EQ(probes, (std::set<std::string>{"metadata", "latency"}));
  EXPECT_TRUE(scheduler_->complete(leases[0].lease_id(), true, "", kT0));
  EXPECT_FALSE(scheduler_->complete(leases[0].lease_id(), true, "", kT0));
  EXPECT_TRUE(scheduler_->complete(leases[1].lease_id(), false, "probe failed", kT0));
  auto status = scheduler_->status("c1");
  EXPECT_EQ(status.tasks_done(), 1u);
  EXPECT_EQ(status.tasks_failed(), 1u);
  EXPECT_EQ(status.tasks_leased(), 2u);
}

TEST_F(SchedulerTest, NothingIsLeasedBeforeItsSlot) {
  auto campaign = scheduler_->submit(campaign_yaml("c1", 1), "c1.yaml", "", kT0);
  auto early = lease_all("a1", vantage("eu1", "eu"), campaign.created_ms - 1);
  EXPECT_TRUE(early.empty());
}

// The sync window on a ManualClock stepped 1 ms at a time: every task is leased at exactly its
// planned slot (not_before), none a millisecond before, and all of them within the window.
TEST_F(SchedulerTest, EachTaskIsLeasedAtItsSlotInTheSyncWindowNotAMillisecondBefore) {
  time::ManualClock clock(kT0);
  auto campaign = scheduler_->submit(campaign_yaml("c1", 1), "c1.yaml", "", clock.now());
  std::size_t leased = 0;
  std::set<store::TimeMs> slots;
  for (; clock.now() < campaign.round_started_ms + 5000;
       clock.advance(std::chrono::milliseconds(1))) {
    for (const auto& v : {vantage("eu1", "eu"), vantage("t1", "us", true)}) {
      for (const auto& lease : lease_all("a-" + v.id(), v, clock.now())) {
        ASSERT_EQ(lease.task().not_before_unix_us(), clock.now() * 1000)
            << lease.task().task_id() << " leased away from its slot";
        slots.insert(clock.now());
        ++leased;
      }
    }
  }
  EXPECT_EQ(leased, 8u);
  EXPECT_GT(slots.size(), 1u) << "the window's slots were not spread";
}

TEST_F(SchedulerTest, AnExpiredLeaseGoesToAnotherAgentOfTheClass) {
  auto campaign = scheduler_->submit(campaign_yaml("c1", 1), "c1.yaml", "", kT0);
  store::TimeMs t = campaign.created_ms + 5000;
  auto first = lease_all("a1", vantage("eu1", "eu"), t);
  ASSERT_EQ(first.size(), 4u);
  EXPECT_TRUE(lease_all("a2", vantage("eu2", "eu"), t).empty());
  // a1 renews one lease (it heartbeats) and then goes silent.
  EXPECT_TRUE(scheduler_->renew(first[0].lease_id(), t + 4000));
  auto report = scheduler_->tick(t + 5000);
  EXPECT_EQ(report.leases_expired, 3u);
  auto second = lease_all("a2", vantage("eu2", "eu"), t + 5000);
  ASSERT_EQ(second.size(), 3u);
  for (const auto& lease : second) {
    EXPECT_EQ(lease.task().vantage_id(), "eu2");
    EXPECT_NE(lease.lease_id(), first[0].lease_id());
  }
  // a1's late completion of a task taken back counts nothing.
  EXPECT_FALSE(scheduler_->complete(first[1].lease_id(), true, "", kT0));
  EXPECT_EQ(scheduler_->status("c1").lease_expiries(), 3u);
}

TEST_F(SchedulerTest, ACampaignIsDoneWhenItsLastRoundIsFinished) {
  auto campaign = scheduler_->submit(campaign_yaml("c1", 1), "c1.yaml", "", kT0);
  store::TimeMs t = campaign.created_ms + 5000;
  auto leases = lease_all("a1", vantage("eu1", "eu"), t);
  auto tor = lease_all("a2", vantage("t1", "eu", true), t);
  leases.insert(leases.end(), tor.begin(), tor.end());
  ASSERT_EQ(leases.size(), 8u);
  for (std::size_t i = 0; i + 1 < leases.size(); ++i) {
    ASSERT_TRUE(scheduler_->complete(leases[i].lease_id(), true, "", kT0));
  }
  EXPECT_TRUE(scheduler_->tick(t).campaigns_done.empty());
  ASSERT_TRUE(scheduler_->complete(leases.back().lease_id(), true, "", kT0));
  auto report = scheduler_->tick(t);
  ASSERT_EQ(report.campaigns_done, std::vector<std::string>{"c1"});
  EXPECT_EQ(scheduler_->status("c1").state(), "done");
  EXPECT_TRUE(scheduler_->bindings({vantage("eu1", "eu")}).empty());
  EXPECT_THROW(scheduler_->cancel("c1", t), std::invalid_argument);  // done is final
}

TEST_F(SchedulerTest, ACancelledCampaignIsNoLongerLeased) {
  auto campaign = scheduler_->submit(campaign_yaml("c1", 1), "c1.yaml", "", kT0);
  auto status = scheduler_->cancel("c1", kT0 + 1);
  EXPECT_EQ(status.state(), "cancelled");
  EXPECT_TRUE(lease_all("a1", vantage("eu1", "eu"), campaign.created_ms + 5000).empty());
  scheduler_->tick(campaign.created_ms + 5000);  // the running list is rebuilt from the store
  EXPECT_TRUE(scheduler_->bindings({vantage("eu1", "eu")}).empty());
  EXPECT_EQ(scheduler_->cancel("c1", kT0 + 2).state(), "cancelled");  // idempotent
}

TEST_F(SchedulerTest, ARestartedSchedulerResumesWithoutCreatingTwice) {
  auto campaign = scheduler_->submit(campaign_yaml("c1", 2), "c1.yaml", "", kT0);
  store::TimeMs round1 = scheduler_->next_round_start(campaign, kT0);
  scheduler_->tick(round1);
  auto leased = lease_all("a1", vantage("eu1", "eu"), round1 + 5000);
  ASSERT_EQ(leased.size(), 8u);  // both rounds of the eu class
  open();                        // the coordinator restarts on the same file
  auto report = scheduler_->tick(round1 + 5000);
  EXPECT_EQ(report.tasks_created, 0u);
  EXPECT_EQ(report.rounds_started, 0u);
  auto status = scheduler_->status("c1");
  EXPECT_EQ(status.round(), 1u);
  EXPECT_EQ(status.tasks_total(), 16u);
  EXPECT_EQ(status.tasks_leased(), 8u);
  // The leases from before the restart are still current.
  EXPECT_TRUE(scheduler_->complete(leased[0].lease_id(), true, "", kT0));
}

TEST_F(SchedulerTest, RoundsArePlannedOnHowLongRampsTookOnTheirPath) {
  std::string yaml = campaign_yaml("c1", 3);
  yaml.replace(yaml.find("probes: [metadata, latency]"), 27, "probes: [rate_limit_ramp]");
  yaml.replace(yaml.find("vantages: [{region: eu}, {network: tor}]"), 40,
               "vantages: [{region: eu}]");
  yaml.replace(yaml.find("targets: {list: [\"a.example:50002:s\", \"b.example:50001:t\"]}"), 59,
               "targets: {list: [\"a.example:50002:s\"]}");
  auto campaign = scheduler_->submit(yaml, "c1.yaml", "", kT0);
  // On its own schedule a 200-request ramp takes 12.547 s, more than the 10 s spacing.
  EXPECT_EQ(scheduler_->next_round_start(campaign, kT0), kT0 + 12'547);

  // The ramp is leased at the window's end and runs past that time: no round starts under it.
  const store::TimeMs leased_at = kT0 + 5000;
  auto ramp = lease_all("a1", vantage("eu1", "eu"), leased_at);
  ASSERT_EQ(ramp.size(), 1u);
  for (store::TimeMs t = leased_at + 4000; t <= leased_at + 56'000; t += 4000) {
    ASSERT_TRUE(scheduler_->renew(ramp[0].lease_id(), t));  // the agent's heartbeats
    EXPECT_EQ(scheduler_->tick(t).rounds_started, 0u) << "at +" << t - kT0 << " ms";
  }

  // It took 60 s on this path: round 1 starts 60 s after round 0, not 12.547 s.
  ASSERT_TRUE(scheduler_->complete(ramp[0].lease_id(), true, "", leased_at + 60'000));
  EXPECT_EQ(scheduler_->next_round_start(campaign, leased_at + 60'000), kT0 + 60'000);
  auto report = scheduler_->tick(leased_at + 60'000);
  EXPECT_EQ(report.rounds_started, 1u);
  auto advanced = store_->get_campaign("c1").value;
  EXPECT_EQ(advanced.round, 1u);
  EXPECT_EQ(advanced.round_started_ms, kT0 + 60'000);
  // Round 2 is planned on the same path time, from round 1's start.
  EXPECT_EQ(scheduler_->next_round_start(advanced, leased_at + 60'000), kT0 + 120'000);
  EXPECT_EQ(scheduler_->politeness_bound_ms("c1"), 3 * 60'000);
}

TEST_F(SchedulerTest, AnExpiredRampLeaseHoldsNoRoundBack) {
  std::string yaml = campaign_yaml("c1", 2);
  yaml.replace(yaml.find("probes: [metadata, latency]"), 27, "probes: [rate_limit_ramp]");
  auto campaign = scheduler_->submit(yaml, "c1.yaml", "", kT0);
  const store::TimeMs planned = scheduler_->next_round_start(campaign, kT0);
  auto ramps = lease_all("a1", vantage("eu1", "eu"), kT0 + 5000);
  ASSERT_FALSE(ramps.empty());
  store::TimeMs t = kT0 + 5000;
  for (; t + 4000 < planned; t += 4000) ASSERT_TRUE(scheduler_->renew(ramps[0].lease_id(), t));
  EXPECT_GT(scheduler_->next_round_start(campaign, planned), planned);  // still running
  // The agent vanished: its lease (5 s) ran out, so the round starts on the plan.
  EXPECT_EQ(scheduler_->next_round_start(campaign, t + 5001), planned);
}

TEST_F(SchedulerTest, AContinuousCampaignRunsRoundsUntilItsEndDate) {
  std::string yaml = campaign_yaml("c1", 1);
  yaml.replace(yaml.find("rounds: 1"), 9, "rounds: continuous\nuntil: 2027-01-15T08:00:30Z");
  auto campaign = scheduler_->submit(yaml, "c1.yaml", "", kT0);
  auto status = scheduler_->status("c1");
  EXPECT_EQ(status.rounds_total(), 0u);
  EXPECT_EQ(status.next_round_unix_ms(), kT0 + 10'000);
  EXPECT_EQ(status.until_unix_ms(), kT0 + 30'000);
  // Rounds 10 s apart while their starts are before the end date; round 3 would start at it.
  store::TimeMs t = kT0;
  for (int i = 0; i < 6; ++i, t += 10'000) {
    auto leases = lease_all("a1", vantage("eu1", "eu"), t + 5000);
    auto tor = lease_all("a2", vantage("t1", "eu", true), t + 5000);
    leases.insert(leases.end(), tor.begin(), tor.end());
    for (const auto& lease : leases) {
      ASSERT_TRUE(scheduler_->complete(lease.lease_id(), true, "", t + 6000));
    }
    scheduler_->tick(t + 10'000);
  }
  status = scheduler_->status("c1");
  EXPECT_EQ(status.round(), 2u);
  EXPECT_EQ(status.state(), "done");
  EXPECT_EQ(status.tasks_total(), 3u * 8u);
  EXPECT_EQ(status.next_round_unix_ms(), 0);
}

v1::DiscoveredTargets advertised(const std::string& campaign, std::uint32_t round,
                                 const std::vector<std::string>& hosts) {
  v1::DiscoveredTargets found;
  found.set_campaign_id(campaign);
  found.set_round(round);
  found.set_source_target_id("tls://a.example:50002");
  for (const auto& host : hosts) {
    auto* t = found.add_targets();
    t->set_host(host);
    t->set_port(50002);
    t->set_transport(v1::TRANSPORT_TLS);
  }
  return found;
}

TEST_F(SchedulerTest, DiscoveredTargetsJoinFromTheNextRoundWithinLimits) {
  std::string yaml = campaign_yaml("c1", 2) + "opt_out: [optout.example]\n";
  yaml.replace(yaml.find("targets: {list:"), 15,
               "targets: {discovered: {enabled: true, max_new_per_round: 2, max_total: 3}, list:");
  auto campaign = scheduler_->submit(yaml, "c1.yaml", "", kT0);
  // Known, opted out, malformed: none of them added; then the per-round limit.
  auto found = advertised(
      "c1", 0,
      {"a.example", "optout.example", "bad host", "n1.example", "n2.example", "n3.example"});
  EXPECT_EQ(scheduler_->discover(found), 2u);
  EXPECT_EQ(scheduler_->discover(found), 0u);
  auto targets = scheduler_->targets("c1");
  ASSERT_EQ(targets.size(), 4u);
  EXPECT_EQ(targets[2].id, "tls://n1.example:50002");
  EXPECT_EQ(targets[2].provenance, std::vector<std::string>{"peer:tls://a.example:50002"});
  // The next round plans them, and the total limit holds.
  scheduler_->tick(scheduler_->next_round_start(campaign, kT0));
  EXPECT_EQ(scheduler_->status("c1").tasks_total(), 8u + 16u);
  EXPECT_EQ(scheduler_->discover(advertised("c1", 1, {"n3.example", "n4.example"})), 1u);
  EXPECT_EQ(scheduler_->targets("c1").size(), 5u);
}

TEST_F(SchedulerTest, DiscoveryIsOffUnlessTheCampaignAsks) {
  scheduler_->submit(campaign_yaml("c1", 1), "c1.yaml", "", kT0);
  EXPECT_EQ(scheduler_->discover(advertised("c1", 0, {"n1.example"})), 0u);
  EXPECT_EQ(scheduler_->discover(advertised("nope", 0, {"n1.example"})), 0u);
}

std::string continuous_yaml(const std::string& targets) {
  std::string yaml = campaign_yaml("c1", 1);
  yaml.replace(yaml.find("rounds: 1"), 9, "rounds: continuous");
  const std::string list = "targets: {list: [\"a.example:50002:s\", \"b.example:50001:t\"]}";
  yaml.replace(yaml.find(list), list.size(), "targets: " + targets);
  return yaml;
}

TEST_F(SchedulerTest, ASeedDroppedFromItsListIsGoneFromThatRoundUntilItReturns) {
  const std::string a = "tls://a.example:50002", b = "tls://b.example:50002";
  write_servers({"a.example", "b.example"});
  auto campaign = scheduler_->submit(continuous_yaml("{builtin: true}"), "c1.yaml", "", kT0);
  EXPECT_EQ(planned_in(0, kT0 + 5000), (std::set<std::string>{a, b}));
  auto status = scheduler_->status("c1");
  EXPECT_EQ(status.targets_active(), 2u);
  EXPECT_EQ(status.targets_new(), 2u);
  EXPECT_EQ(status.targets_gone(), 0u);

  write_servers({"a.example"});  // b left Electrum's list before round 1
  const store::TimeMs t1 = scheduler_->next_round_start(campaign, kT0);
  ASSERT_EQ(scheduler_->tick(t1).rounds_started, 1u);
  EXPECT_EQ(planned_in(1, t1 + 5000), std::set<std::string>{a});
  EXPECT_EQ(gone_round("c1", b), 1u);
  status = scheduler_->status("c1");
  EXPECT_EQ(status.targets_active(), 1u);
  EXPECT_EQ(status.targets_new(), 0u);
  EXPECT_EQ(status.targets_gone(), 1u);
  // Still gone a round later, since round 1; a restarted coordinator re-plans the same.
  open();
  ASSERT_EQ(scheduler_->tick(t1 + 10'000).rounds_started, 1u);
  EXPECT_EQ(planned_in(2, t1 + 15'000), std::set<std::string>{a});
  EXPECT_EQ(gone_round("c1", b), 1u);

  write_servers({"a.example", "b.example"});  // back on the list: probed again
  ASSERT_EQ(scheduler_->tick(t1 + 20'000).rounds_started, 1u);
  EXPECT_EQ(planned_in(3, t1 + 25'000), (std::set<std::string>{a, b}));
  EXPECT_EQ(gone_round("c1", b), std::nullopt);
  status = scheduler_->status("c1");
  EXPECT_EQ(status.targets_active(), 2u);
  EXPECT_EQ(status.targets_new(), 0u);  // b joined in round 0
  EXPECT_EQ(status.targets_gone(), 0u);
}

TEST_F(SchedulerTest, ADiscoveredPeerGoesAfterItsRoundsUnannouncedAndReturnsWhenAnnounced) {
  const std::string n1 = "tls://n1.example:50002";
  auto campaign = scheduler_->submit(
      continuous_yaml("{discovered: {enabled: true, gone_after_rounds: 2}, list: "
                      "[\"a.example:50002:s\"]}"),
      "c1.yaml", "", kT0);
  ASSERT_EQ(scheduler_->discover(advertised("c1", 0, {"n1.example"})), 1u);
  EXPECT_EQ(scheduler_->status("c1").targets_waiting(), 1u);
  const store::TimeMs t1 = scheduler_->next_round_start(campaign, kT0);
  auto round_at = [&](std::uint32_t r) { return t1 + (r - 1) * 10'000; };
  ASSERT_EQ(scheduler_->tick(round_at(1)).rounds_started, 1u);
  EXPECT_TRUE(planned_in(1, round_at(1) + 5000).count(n1));
  auto status = scheduler_->status("c1");
  EXPECT_EQ(status.targets_new(), 1u);
  EXPECT_EQ(status.targets_waiting(), 0u);
  // Announced again in round 1 (known: nothing added), then silent in rounds 2 and 3.
  EXPECT_EQ(scheduler_->discover(advertised("c1", 1, {"n1.example"})), 0u);
  for (std::uint32_t r = 2; r <= 3; ++r) {
    ASSERT_EQ(scheduler_->tick(round_at(r)).rounds_started, 1u);
    EXPECT_TRUE(planned_in(r, round_at(r) + 5000).count(n1)) << "round " << r;
  }
  ASSERT_EQ(scheduler_->tick(round_at(4)).rounds_started, 1u);
  EXPECT_FALSE(planned_in(4, round_at(4) + 5000).count(n1));
  EXPECT_EQ(gone_round("c1", n1), 4u);
  EXPECT_EQ(scheduler_->status("c1").targets_gone(), 1u);
  // A server announces it again: it is back from the next round on.
  EXPECT_EQ(scheduler_->discover(advertised("c1", 4, {"n1.example"})), 0u);
  ASSERT_EQ(scheduler_->tick(round_at(5)).rounds_started, 1u);
  EXPECT_TRUE(planned_in(5, round_at(5) + 5000).count(n1));
  EXPECT_EQ(gone_round("c1", n1), std::nullopt);
}

TEST_F(SchedulerTest, TargetsOfAFixedRoundCampaignAreNeverGone) {
  auto campaign = scheduler_->submit(campaign_yaml("c1", 3), "c1.yaml", "", kT0);
  const store::TimeMs t1 = scheduler_->next_round_start(campaign, kT0);
  scheduler_->tick(t1);
  scheduler_->tick(t1 + 3'600'000);
  EXPECT_EQ(scheduler_->status("c1").targets_active(), 2u);
  EXPECT_EQ(scheduler_->status("c1").targets_gone(), 0u);
}

}  // namespace
}  // namespace eo::coordinator
