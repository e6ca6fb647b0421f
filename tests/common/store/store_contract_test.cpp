// The state store contract: every StateStore implementation passes these cases, run against
// SQLite (a file in a temp dir) and a real redis-server that the fixture starts and stops.
#include "common/store/factory.h"
#include "common/store/store.h"
#include "tests/support/process.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <atomic>
#include <thread>

namespace eo::store {
namespace {

using namespace std::chrono_literals;

constexpr TimeMs kT0 = 1'700'000'000'000;

// One backend per test: the same url() opens the same state (two opens = two coordinators).
class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string url() const = 0;
};

class SqliteBackend final : public Backend {
 public:
  std::string url() const override { return "sqlite:" + dir_.file("state.db"); }

 private:
  test::TempDir dir_;
};

class RedisBackend final : public Backend {
 public:
  RedisBackend() {
    auto started = test::start_redis(dir_.path(), 10s);
    server_ = std::move(started.process);
    port_ = started.port;
    if (port_ == 0) throw std::runtime_error("redis-server did not start: " + server_->log());
  }
  ~RedisBackend() override { server_->stop(); }
  std::string url() const override {
    return "redis://127.0.0.1:" + std::to_string(port_) + "/contract";
  }

 private:
  test::TempDir dir_;
  int port_ = 0;
  std::unique_ptr<test::ChildProcess> server_;
};

class StoreContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "redis") {
      EO_SKIP_UNLESS_CI(test::find_program("redis-server").empty(), "no redis-server");
      backend_ = std::make_unique<RedisBackend>();
    } else {
      backend_ = std::make_unique<SqliteBackend>();
    }
    store_ = make_store(backend_->url());
  }

  void add_targets(const std::vector<Target>& targets, const std::string& campaign = "c1") {
    auto r = store_->upsert_targets(campaign, targets);
    ASSERT_TRUE(r.ok()) << r.status.detail;
  }

  static Target target(const std::string& id, std::uint32_t cap = 1) {
    return Target{id, id + ".example", 50002, "tls", false, cap, {"seed"}};
  }

  static NewTask task(const std::string& id, const std::string& target,
                      const std::string& vclass = "eu", TimeMs not_before = kT0,
                      bool ramp = false) {
    return NewTask{id, "c1", 1, target, vclass, ramp, not_before, "payload-" + id};
  }

  void add_tasks(const std::vector<NewTask>& tasks) {
    auto r = store_->create_tasks(tasks);
    ASSERT_TRUE(r.ok()) << r.status.detail;
  }

  std::vector<Lease> lease(const std::string& vclass, const std::string& agent, TimeMs now,
                           std::size_t max, TimeMs lease_ms = 30'000) {
    auto r = store_->lease(vclass, agent, now, lease_ms, max);
    EXPECT_TRUE(r.ok()) << r.status.detail;
    return r.value;
  }

  static std::set<std::string> ids(const std::vector<Lease>& leases) {
    std::set<std::string> out;
    for (const auto& l : leases) out.insert(l.task.id);
    return out;
  }

  TaskCounts counts(const std::string& campaign = "c1") {
    auto r = store_->counts(campaign);
    EXPECT_TRUE(r.ok()) << r.status.detail;
    return r.value;
  }

  std::unique_ptr<Backend> backend_;
  std::unique_ptr<StateStore> store_;
};

TEST_P(StoreContract, CampaignsPutGetListAndTransitions) {
  using S = CampaignState;
  ASSERT_TRUE(store_->put_campaign({"c2", "second", "spec: 2", S::pending, 0}, kT0).ok());
  Campaign first{"c1", "first", "spec: 1", S::pending, 3};
  first.round_started_ms = kT0 + 42;
  ASSERT_TRUE(store_->put_campaign(first, kT0).ok());
  auto got = store_->get_campaign("c1");
  ASSERT_TRUE(got.ok()) << got.status.detail;
  EXPECT_EQ(got.value.name, "first");
  EXPECT_EQ(got.value.spec, "spec: 1");
  EXPECT_EQ(got.value.round, 3u);
  EXPECT_EQ(got.value.created_ms, kT0);
  EXPECT_EQ(got.value.round_started_ms, kT0 + 42);
  EXPECT_EQ(store_->get_campaign("nope").status.code, Code::not_found);

  EXPECT_TRUE(store_->set_campaign_state("c1", CampaignState::running, kT0 + 5).ok());
  EXPECT_EQ(store_->set_campaign_state("c1", CampaignState::pending, kT0 + 6).code, Code::conflict);
  EXPECT_TRUE(store_->set_campaign_state("c1", CampaignState::done, kT0 + 7).ok());
  EXPECT_EQ(store_->set_campaign_state("c1", CampaignState::running, kT0 + 8).code, Code::conflict);
  EXPECT_EQ(store_->set_campaign_state("nope", CampaignState::running, kT0).code, Code::not_found);

  // put again keeps created_ms
  Campaign renamed{"c2", "renamed", "spec: 2b", CampaignState::running, 1};
  renamed.round_started_ms = kT0 + 90;
  ASSERT_TRUE(store_->put_campaign(renamed, kT0 + 100).ok());
  auto all = store_->list_campaigns();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all.value.size(), 2u);
  EXPECT_EQ(all.value[0].id, "c1");
  EXPECT_EQ(all.value[0].state, CampaignState::done);
  EXPECT_EQ(all.value[1].name, "renamed");
  EXPECT_EQ(all.value[1].created_ms, kT0);
  EXPECT_EQ(all.value[1].updated_ms, kT0 + 100);
  EXPECT_EQ(all.value[1].round_started_ms, kT0 + 90);
  auto running = store_->list_campaigns(CampaignState::running);
  ASSERT_EQ(running.value.size(), 1u);
  EXPECT_EQ(running.value[0].id, "c2");
}

TEST_P(StoreContract, TargetsAreDeduplicatedWithProvenance) {
  auto first = store_->upsert_targets("c1", std::vector<Target>{target("a"), target("b", 3)});
  ASSERT_TRUE(first.ok()) << first.status.detail;
  EXPECT_EQ(first.value, 2u);
  Target again = target("a");
  again.provenance = {"peer:b"};
  auto second = store_->upsert_targets("c2", std::vector<Target>{again, target("c")});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second.value, 1u);

  auto c1 = store_->list_targets("c1");
  ASSERT_TRUE(c1.ok());
  ASSERT_EQ(c1.value.size(), 2u);
  EXPECT_EQ(c1.value[0].id, "a");
  EXPECT_EQ(c1.value[0].provenance, (std::vector<std::string>{"peer:b", "seed"}));
  EXPECT_EQ(c1.value[1].max_concurrency, 3u);
  EXPECT_EQ(c1.value[1].host, "b.example");
  EXPECT_EQ(c1.value[1].port, 50002);
  auto c2 = store_->list_targets("c2");
  ASSERT_EQ(c2.value.size(), 2u);
  EXPECT_EQ(c2.value[1].id, "c");
}

TEST_P(StoreContract, AgentsRegisterHeartbeatAndExpire) {
  ASSERT_TRUE(store_->register_agent({"a1", "eu", "v1", 0}, kT0).ok());
  ASSERT_TRUE(store_->register_agent({"a2", "tor", "v1", 0}, kT0).ok());
  EXPECT_EQ(store_->heartbeat("ghost", kT0).code, Code::not_found);
  ASSERT_TRUE(store_->heartbeat("a2", kT0 + 20'000).ok());
  auto live = store_->list_live_agents(kT0 + 25'000, 10'000);
  ASSERT_TRUE(live.ok());
  ASSERT_EQ(live.value.size(), 1u);
  EXPECT_EQ(live.value[0].id, "a2");
  EXPECT_EQ(live.value[0].vantage_class, "tor");
  EXPECT_EQ(live.value[0].last_heartbeat_ms, kT0 + 20'000);
  EXPECT_EQ(store_->list_live_agents(kT0 + 5'000, 10'000).value.size(), 2u);
}

TEST_P(StoreContract, CreateTasksIsIdempotentAndValidated) {
  add_targets({target("a")});
  auto r = store_->create_tasks(std::vector<NewTask>{task("t1", "a"), task("t2", "a")});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value, 2u);
  r = store_->create_tasks(std::vector<NewTask>{task("t2", "a"), task("t3", "a")});
  EXPECT_EQ(r.value, 1u);
  r = store_->create_tasks(std::vector<NewTask>{task("t4", "a"), task("t5", "unknown")});
  EXPECT_EQ(r.status.code, Code::invalid_argument);
  EXPECT_EQ(store_->get_task("t4").status.code, Code::not_found);  // all or nothing
  EXPECT_EQ(store_->create_tasks(std::vector<NewTask>{task("bad#1", "a")}).status.code,
            Code::invalid_argument);
  EXPECT_EQ(counts().queued, 3u);
  auto t1 = store_->get_task("t1");
  ASSERT_TRUE(t1.ok());
  EXPECT_EQ(t1.value.payload, "payload-t1");
  EXPECT_EQ(t1.value.state, TaskState::queued);
}

TEST_P(StoreContract, LeaseRespectsVantageClassAndNotBefore) {
  add_targets({target("a", 10)});
  add_tasks({task("t1", "a", "eu"), task("t2", "a", "tor"), task("t3", "a", "eu", kT0 + 60'000)});
  auto got = lease("eu", "agent-eu", kT0, 10);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].task.id, "t1");
  EXPECT_EQ(got[0].task.payload, "payload-t1");
  EXPECT_EQ(got[0].task.state, TaskState::leased);
  EXPECT_EQ(got[0].task.agent_id, "agent-eu");
  EXPECT_EQ(got[0].task.attempts, 1u);
  EXPECT_EQ(got[0].expires_ms, kT0 + 30'000);
  EXPECT_EQ(got[0].lease_id, make_lease_id("t1", 1));
  EXPECT_TRUE(lease("eu", "agent-eu", kT0 + 59'999, 10).empty());
  EXPECT_EQ(ids(lease("eu", "agent-eu", kT0 + 60'000, 10)), std::set<std::string>{"t3"});
  EXPECT_EQ(ids(lease("tor", "agent-tor", kT0, 10)), std::set<std::string>{"t2"});
  EXPECT_EQ(counts(), (TaskCounts{0, 3, 0, 0, 0}));
}

TEST_P(StoreContract, LeaseRespectsPerTargetCap) {
  add_targets({target("a", 2), target("b", 1)});
  add_tasks({task("a1", "a"), task("a2", "a"), task("a3", "a", "tor"), task("a4", "a"),
             task("b1", "b"), task("b2", "b")});
  auto first = lease("eu", "x", kT0, 10);
  EXPECT_EQ(ids(first), (std::set<std::string>{"a1", "a2", "b1"}));
  EXPECT_TRUE(lease("tor", "y", kT0, 10).empty());  // the cap holds across vantage classes
  auto done = store_->complete(first[0].lease_id, true);
  ASSERT_TRUE(done.ok());
  EXPECT_TRUE(done.value);
  EXPECT_EQ(ids(lease("tor", "y", kT0, 10)), std::set<std::string>{"a3"});
  EXPECT_TRUE(lease("eu", "x", kT0, 10).empty());
}

TEST_P(StoreContract, RampTasksAreExclusivePerTarget) {
  add_targets({target("a", 5), target("b", 5)});
  add_tasks({task("ramp-eu", "a", "eu", kT0, true), task("ramp-tor", "a", "tor", kT0, true),
             task("plain-tor", "a", "tor"), task("ramp-b", "b", "eu", kT0, true),
             task("ramp-b2", "b", "eu", kT0, true)});
  EXPECT_EQ(ids(lease("eu", "x", kT0, 10)), (std::set<std::string>{"ramp-eu", "ramp-b"}));
  auto tor = lease("tor", "y", kT0, 10);
  EXPECT_EQ(ids(tor), std::set<std::string>{"plain-tor"});  // ramp-tor waits for ramp-eu
  auto eu = store_->get_task("ramp-eu").value;
  ASSERT_TRUE(store_->complete(make_lease_id("ramp-eu", eu.attempts), true).value);
  EXPECT_EQ(ids(lease("tor", "y", kT0, 10)), std::set<std::string>{"ramp-tor"});
}

TEST_P(StoreContract, CompleteIsIdempotentAndCountsOnce) {
  add_targets({target("a", 5)});
  add_tasks({task("t1", "a"), task("t2", "a")});
  auto leases = lease("eu", "x", kT0, 10);
  ASSERT_EQ(leases.size(), 2u);
  auto r = store_->complete(leases[0].lease_id, true);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.value);
  EXPECT_FALSE(store_->complete(leases[0].lease_id, true).value);
  EXPECT_FALSE(store_->complete(leases[0].lease_id, false, "late").value);
  EXPECT_TRUE(store_->complete(leases[1].lease_id, false, "refused").value);
  EXPECT_FALSE(store_->complete(leases[1].lease_id, false, "refused").value);
  EXPECT_FALSE(store_->complete("t1#7", true).value);
  EXPECT_FALSE(store_->complete("garbage", true).value);
  EXPECT_FALSE(store_->complete("missing#1", true).value);
  EXPECT_EQ(counts(), (TaskCounts{0, 0, 1, 1, 0}));
  auto t2 = store_->get_task(leases[1].task.id).value;
  EXPECT_EQ(t2.state, TaskState::failed);
  EXPECT_EQ(t2.failure, "refused");
  EXPECT_TRUE(lease("eu", "x", kT0, 10).empty());  // finished tasks are never leased again
  EXPECT_FALSE(store_->renew(leases[0].lease_id, kT0, 1000).value);
}

TEST_P(StoreContract, CompleteBatchIsCompleteInOrder) {
  add_targets({target("a", 5)});
  add_tasks({task("t1", "a"), task("t2", "a"), task("t3", "a")});
  auto leases = lease("eu", "x", kT0, 10);
  ASSERT_EQ(leases.size(), 3u);
  std::vector<Completion> batch = {{leases[0].lease_id, true, ""},
                                   {leases[0].lease_id, true, ""},  // repeated within the batch
                                   {"garbage", true, ""},
                                   {leases[1].lease_id, false, "refused"},
                                   {"t3#9", true, ""}};  // not the current attempt
  auto r = store_->complete_batch(batch);
  ASSERT_TRUE(r.ok()) << r.status.detail;
  EXPECT_EQ(r.value, (std::vector<bool>{true, false, false, true, false}));
  EXPECT_EQ(counts(), (TaskCounts{0, 1, 1, 1, 0}));
  EXPECT_EQ(store_->get_task(leases[1].task.id).value.failure, "refused");
  // The target's slots were given back: t3 is still leased, the other two are free.
  EXPECT_TRUE(store_->complete_batch(std::vector<Completion>{}).value.empty());
  EXPECT_TRUE(store_->complete(leases[2].lease_id, true).value);
}

TEST_P(StoreContract, ExpiredLeaseGoesToAnotherAgentOfTheSameClass) {
  ASSERT_TRUE(store_->put_campaign({"c1", "one", "", CampaignState::running, 1}, kT0).ok());
  add_targets({target("a", 1)});
  add_tasks({task("t1", "a"), task("t2", "a")});
  auto first = lease("eu", "agent-1", kT0, 1, 10'000);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(store_->expire(kT0 + 9'999).value, 0u);
  ASSERT_TRUE(store_->renew(first[0].lease_id, kT0 + 5'000, 10'000).value);  // now kT0 + 15 s
  EXPECT_EQ(store_->expire(kT0 + 14'999).value, 0u);
  auto expired = store_->expire(kT0 + 15'000);
  ASSERT_TRUE(expired.ok()) << expired.status.detail;
  EXPECT_EQ(expired.value, 1u);
  EXPECT_EQ(counts(), (TaskCounts{2, 0, 0, 0, 1}));
  EXPECT_TRUE(lease("tor", "agent-tor", kT0 + 15'000, 10).empty());

  auto second = lease("eu", "agent-2", kT0 + 15'000, 1);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].task.id, first[0].task.id);
  EXPECT_EQ(second[0].task.attempts, 2u);
  EXPECT_EQ(second[0].task.expiries, 1u);
  EXPECT_EQ(second[0].task.agent_id, "agent-2");
  EXPECT_NE(second[0].lease_id, first[0].lease_id);
  EXPECT_FALSE(store_->complete(first[0].lease_id, true).value);  // the gone agent's lease
  EXPECT_FALSE(store_->renew(first[0].lease_id, kT0 + 15'000, 10'000).value);
  EXPECT_TRUE(store_->complete(second[0].lease_id, true).value);
  EXPECT_EQ(counts(), (TaskCounts{1, 0, 1, 0, 1}));
}

TEST_P(StoreContract, TwoStoresNeverLeaseTheSameTaskTwice) {
  constexpr int kTargets = 40;
  constexpr int kTasks = 1200;
  std::vector<Target> targets;
  for (int i = 0; i < kTargets; ++i) targets.push_back(target("g" + std::to_string(i), 2));
  add_targets(targets);
  std::vector<NewTask> tasks;
  for (int i = 0; i < kTasks; ++i) {
    tasks.push_back(
        task("t" + std::to_string(i), "g" + std::to_string(i % kTargets), "eu", kT0, i % 7 == 0));
  }
  add_tasks(tasks);

  struct Worker {
    std::vector<std::string> leased;
    int completed = 0;
    std::string error;
  };
  // Both lease until every task is done (or a deadline: a task never leasable fails below);
  // an empty lease (the caps held by the other) is retried at once, each lease a round trip.
  std::atomic<int> done{0};
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  auto run = [&](Worker& w, const std::string& agent) {
    auto store = make_store(backend_->url());  // its own connection, like another coordinator
    while (done.load() < kTasks && std::chrono::steady_clock::now() < deadline) {
      auto r = store->lease("eu", agent, kT0, 60'000, 16);
      if (!r.ok()) {
        w.error = r.status.detail;
        return;
      }
      if (r.value.empty()) {
        std::this_thread::yield();
        continue;
      }
      for (const auto& l : r.value) {
        w.leased.push_back(l.task.id);
        auto c = store->complete(l.lease_id, true);
        if (!c.ok()) w.error = c.status.detail;
        if (c.value) {
          ++w.completed;
          ++done;
        }
      }
    }
  };
  Worker w1, w2;
  std::thread t1(run, std::ref(w1), "agent-1");
  std::thread t2(run, std::ref(w2), "agent-2");
  t1.join();
  t2.join();
  EXPECT_EQ(w1.error, "");
  EXPECT_EQ(w2.error, "");
  std::map<std::string, int> times;
  for (const auto* w : {&w1, &w2}) {
    for (const auto& id : w->leased) ++times[id];
  }
  EXPECT_EQ(times.size(), static_cast<std::size_t>(kTasks));
  for (const auto& [id, n] : times) EXPECT_EQ(n, 1) << id;
  EXPECT_EQ(w1.completed + w2.completed, kTasks);
  EXPECT_EQ(counts(), (TaskCounts{0, 0, kTasks, 0, 0}));
}

TEST_P(StoreContract, StateSurvivesReopening) {
  ASSERT_TRUE(store_->put_campaign({"c1", "one", "spec", CampaignState::running, 4}, kT0).ok());
  add_targets({target("a", 1)});
  add_tasks({task("t1", "a"), task("t2", "a")});
  auto held = lease("eu", "x", kT0, 10, 10'000);
  ASSERT_EQ(held.size(), 1u);
  ASSERT_TRUE(store_->register_agent({"x", "eu", "", 0}, kT0).ok());

  store_.reset();                        // the coordinator stops ...
  store_ = make_store(backend_->url());  // ... and a new one resumes
  auto running = store_->list_campaigns(CampaignState::running);
  ASSERT_TRUE(running.ok());
  ASSERT_EQ(running.value.size(), 1u);
  EXPECT_EQ(running.value[0].round, 4u);
  EXPECT_EQ(counts(), (TaskCounts{1, 1, 0, 0, 0}));
  EXPECT_EQ(store_->list_targets("c1").value.size(), 1u);
  EXPECT_EQ(store_->list_live_agents(kT0, 1000).value.size(), 1u);
  EXPECT_TRUE(lease("eu", "x", kT0, 10).empty());  // the cap still counts the held lease
  EXPECT_TRUE(store_->complete(held[0].lease_id, true).value);
  EXPECT_EQ(ids(lease("eu", "x", kT0, 10)), std::set<std::string>{"t2"});
}

TEST_P(StoreContract, StandingsKeepSightingsPlansAndGoneRounds) {
  add_targets({target("a"), target("b"), target("c")});
  add_targets({target("z")}, "c2");
  const std::vector<std::string> ab{"a", "b"};
  const std::vector<std::string> a_only{"a"};
  const std::vector<std::string> b_only{"b"};
  const std::vector<std::string> none;
  ASSERT_TRUE(store_->record_sighting("c1", Sighting::listed, ab, 0).ok());
  ASSERT_TRUE(store_->record_plan("c1", 0, ab, none).ok());
  // Sightings only move forward; an id of another campaign is ignored.
  const std::vector<std::string> bz{"b", "z"};
  ASSERT_TRUE(store_->record_sighting("c1", Sighting::announced, bz, 3).ok());
  ASSERT_TRUE(store_->record_sighting("c1", Sighting::announced, b_only, 1).ok());
  ASSERT_TRUE(store_->record_sighting("c1", Sighting::listed, a_only, 2).ok());
  // b goes in round 2; planning round 2 again (a restart) and round 3 keep the round it went.
  ASSERT_TRUE(store_->record_plan("c1", 2, a_only, b_only).ok());
  ASSERT_TRUE(store_->record_plan("c1", 2, a_only, b_only).ok());
  ASSERT_TRUE(store_->record_plan("c1", 3, a_only, b_only).ok());
  auto standings = store_->list_standings("c1");
  ASSERT_TRUE(standings.ok()) << standings.status.detail;
  EXPECT_EQ(standings.value,
            (std::vector<Standing>{{"a", 2, std::nullopt, 0, std::nullopt},
                                   {"b", 0, 3, 0, 2},
                                   {"c", std::nullopt, std::nullopt, std::nullopt, std::nullopt}}));
  // b returns in round 5: active again, still joined in round 0; it all survives reopening.
  ASSERT_TRUE(store_->record_plan("c1", 5, b_only, none).ok());
  store_.reset();
  store_ = make_store(backend_->url());
  standings = store_->list_standings("c1");
  ASSERT_EQ(standings.value.size(), 3u);
  EXPECT_EQ(standings.value[1], (Standing{"b", 0, 3, 0, std::nullopt}));
  EXPECT_EQ(store_->list_standings("c2").value,
            (std::vector<Standing>{{"z", std::nullopt, std::nullopt, std::nullopt, std::nullopt}}));
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreContract, ::testing::Values("sqlite", "redis"),
                         [](const auto& info) { return info.param; });

// A state file written before the per-campaign counts row, the round start and the standings
// existed: opening it counts once, reads the round start as 0 (the scheduler then plans from the
// creation time) and the standings as none.
TEST(SqliteStore, OlderFilesGetTheirCampaignCountsAndRoundStart) {
  test::TempDir dir;
  const std::string path = dir.file("old.db");
  {
    auto store = make_store("sqlite:" + path);
    Campaign old{"c1", "one", "spec", CampaignState::running, 2};
    old.round_started_ms = 5;
    ASSERT_TRUE(store->put_campaign(old, 1).ok());
    ASSERT_TRUE(
        store->upsert_targets("c1", std::vector<Target>{{"a", "h", 1, "tcp", false, 2, {}}}).ok());
    std::vector<NewTask> tasks;
    for (const char* id : {"t1", "t2", "t3", "t4"}) {
      tasks.push_back({id, "c1", 0, "a", "eu", false, 0, ""});
    }
    ASSERT_EQ(store->create_tasks(tasks).value, 4u);
    auto held = store->lease("eu", "x", 0, 1000, 2).value;
    ASSERT_EQ(held.size(), 2u);
    ASSERT_TRUE(store->complete(held[0].lease_id, false, "no").value);
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db,
                         "DROP TABLE campaign_counts; PRAGMA user_version = 0; "
                         "CREATE INDEX tasks_campaign ON tasks(campaign_id, state); "
                         "ALTER TABLE campaigns DROP COLUMN round_started_ms; "
                         "ALTER TABLE campaign_targets DROP COLUMN listed_round; "
                         "ALTER TABLE campaign_targets DROP COLUMN announced_round; "
                         "ALTER TABLE campaign_targets DROP COLUMN joined_round; "
                         "ALTER TABLE campaign_targets DROP COLUMN gone_round;",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto store = make_store("sqlite:" + path);
  EXPECT_EQ(store->counts("c1").value, (TaskCounts{2, 1, 0, 1, 0}));
  ASSERT_EQ(store->lease("eu", "x", 0, 1000, 5).value.size(), 1u);  // the cap of 2 still holds
  EXPECT_EQ(store->counts("c1").value, (TaskCounts{1, 2, 0, 1, 0}));
  auto campaign = store->get_campaign("c1");
  ASSERT_TRUE(campaign.ok()) << campaign.status.detail;
  EXPECT_EQ(campaign.value.round, 2u);
  EXPECT_EQ(campaign.value.round_started_ms, 0);
  // Links from before standings have none: the scheduler's grace for them (not "gone").
  EXPECT_EQ(store->list_standings("c1").value,
            (std::vector<Standing>{{"a", std::nullopt, std::nullopt, std::nullopt, std::nullopt}}));
}

TEST(StoreFactory, RejectsMalformedUrlsNamingThem) {
  for (std::string url : {"", "postgres://x", "sqlite:", "redis://host", "redis://host:0",
                          "redis://host:99999", "redis://:6379", "redis://h:6379/"}) {
    try {
      make_store(url);
      ADD_FAILURE() << "accepted " << url;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("'" + url + "'"), std::string::npos) << e.what();
    }
  }
  auto parsed = parse_store_url("redis://10.0.0.1:6380/eo-test");
  EXPECT_EQ(parsed.host, "10.0.0.1");
  EXPECT_EQ(parsed.port, 6380);
  EXPECT_EQ(parsed.prefix, "eo-test");
  EXPECT_EQ(parse_store_url("redis://h:1").prefix, "eo");
  EXPECT_EQ(parse_store_url("sqlite::memory:").path, ":memory:");
}

TEST(StoreFactory, UnreachableServerNamesTheUrl) {
  test::ClosedPort closed;
  std::string url = "redis://" + closed.address();
  try {
    make_store(url);
    ADD_FAILURE() << "connected to nothing";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(url), std::string::npos) << e.what();
  }
  EXPECT_THROW(make_store("sqlite:/nonexistent-dir/x/state.db"), std::runtime_error);
}

TEST(StoreFactory, InMemorySqliteWorks) {
  auto store = make_store("sqlite::memory:");
  ASSERT_TRUE(
      store->upsert_targets("c", std::vector<Target>{{"a", "h", 1, "tcp", false, 1, {}}}).ok());
  EXPECT_EQ(store->create_tasks(std::vector<NewTask>{{"t", "c", 0, "a", "eu", false, 0, ""}}).value,
            1u);
  EXPECT_EQ(store->lease("eu", "x", 0, 1, 5).value.size(), 1u);
}

TEST(LeaseId, RoundTrips) {
  std::string task;
  std::uint32_t attempt = 0;
  ASSERT_TRUE(parse_lease_id(make_lease_id("c1:r2:t#x", 12), task, attempt));
  EXPECT_EQ(task, "c1:r2:t#x");
  EXPECT_EQ(attempt, 12u);
  for (const char* bad : {"", "#1", "t#", "t#0", "t#1x", "t"}) {
    EXPECT_FALSE(parse_lease_id(bad, task, attempt)) << bad;
  }
}

}  // namespace
}  // namespace eo::store
