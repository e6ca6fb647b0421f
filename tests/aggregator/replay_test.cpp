// Replay: the same observations and honeypot events ingested once straight, and once in pieces
// through a consumer restart followed by a replay of everything, give identical findings,
// suspicion and privacy_risk tables (and every other table); a second analysis pass changes
// nothing. The set has something to find: operator clusters (a shared certificate), a planted
// honeypot-like server (its certificate in another network, peers pointing into its cluster, an
// ElectrumX claim that never throttles) and a wallet linked across sessions and addresses.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "aggregator/app/analyze.h"
#include "aggregator/ingest/ingestor.h"
#include "common/bus/factory.h"
#include "common/bus/topics.h"
#include "tests/aggregator/support.h"
#include "tests/support/process.h"

namespace eo::aggregator {
namespace {

using namespace std::chrono_literals;

constexpr std::uint64_t kServers = 10;
constexpr std::uint64_t kObservations = kServers * 6 * 8 * 3;  // three rounds
constexpr std::uint64_t kEvents = 60;

// server1 (TLS, sharing the synthetic certificate with the other odd servers) moves to another
// network, lists two members of its cluster as peers and runs every ramp past ElectrumX's default
// limit (a campaign with a raised ramp cap) without a throttle.
v1::Observation observation(std::uint64_t i) {
  auto o = test::synthetic_observation(i, kServers, 6);
  if (o.target().host() != "server1.example") return o;
  o.mutable_target()->set_resolved_ips(0, "203.0.113.1");
  o.set_peer_address("203.0.113.1:50002");
  if (o.probe_name() == "metadata") {
    auto result = nlohmann::json::parse(o.result_json());
    result["peers"]["result"] = {{"198.51.100.3", "server3.example", {"v1.4.2", "s50002"}},
                                 {"198.51.100.5", "server5.example", {"v1.4.2", "s50002"}}};
    o.set_result_json(result.dump());
  } else if (o.probe_name() == "rate_limit_ramp") {
    o.set_result_json(
        R"({"final_rate":50,"max_requests":12000,"requests_sent":12000,"throttled":false})");
  }
  return o;
}

class Replay : public ::testing::Test {
 protected:
  Replay() {
    config_.log_dir = dir_.file("bus");
    config_.client_id = "replay-test";
    producer_ = bus::make_producer(config_);
  }

  void publish_all() {
    for (std::uint64_t i = 0; i < kObservations; ++i) {
      auto o = observation(i);
      ASSERT_TRUE(
          producer_->publish(bus::topics::kObservations, o.target().id(), o.SerializeAsString())
              .ok());
    }
    for (std::uint64_t i = 0; i < kEvents; ++i) {
      auto e = test::synthetic_event(i);
      ASSERT_TRUE(
          producer_->publish(bus::topics::kHoneypotEvents, e.session_id(), e.SerializeAsString())
              .ok());
    }
    ASSERT_TRUE(producer_->flush(10s).ok());
  }

  std::unique_ptr<bus::Consumer> consumer(const std::string& group) {
    return bus::make_consumer(
        config_, group,
        {std::string(bus::topics::kObservations), std::string(bus::topics::kHoneypotEvents)});
  }

  // Steps until `records` were consumed in all (or the deadline), then until a poll is empty.
  static void ingest(ingest::Ingestor& ingestor, std::uint64_t records) {
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while (ingestor.stats().consumed < records && std::chrono::steady_clock::now() < deadline) {
      ingestor.step();
    }
    while (ingestor.step() > 0) {
    }
  }

  std::string analysed(results::ResultsDb& db) {
    app::analyze(db, reference::builtin_reference(), {});
    return test::dump(db);
  }

  eo::test::TempDir dir_;
  bus::BusConfig config_;
  std::unique_ptr<bus::Producer> producer_;
};

std::uint64_t count(results::ResultsDb& db, const std::string& sql) {
  auto s = db.database().prepare(sql);
  s.step();
  return static_cast<std::uint64_t>(s.i64(0));
}

TEST_F(Replay, TwiceAndThroughARestartGiveIdenticalTables) {
  publish_all();
  results::ResultsDb straight(dir_.file("straight.sqlite"));
  {
    auto c = consumer("straight");
    ingest::Ingestor ingestor(*c, straight, {.max_batch = 5000, .poll_timeout = 300ms});
    ingest(ingestor, kObservations + kEvents);
  }
  std::string expected = analysed(straight);
  EXPECT_EQ(analysed(straight), expected);  // a second pass writes the same rows

  // Something to find, so that "identical" says something.
  EXPECT_GT(count(straight, "SELECT count(*) FROM findings WHERE kind = 'operator_cluster'"), 0u);
  EXPECT_EQ(count(straight,
                  "SELECT count(*) FROM findings WHERE kind = 'honeypot_suspicion' "
                  "AND server = 'server1.example'"),
            1u);
  EXPECT_EQ(count(straight, "SELECT count(*) FROM suspicion"), kServers);
  EXPECT_EQ(count(straight, "SELECT count(*) FROM privacy_risk WHERE item = 'cross_ip_linking'"),
            1u);

  // In pieces: a consumer that stops after a few small batches, a new one in its place (the
  // process restarted), then a replay of everything by the producers.
  results::ResultsDb pieces(dir_.file("pieces.sqlite"));
  {
    auto c = consumer("pieces");
    ingest::Ingestor first(*c, pieces, {.max_batch = 100, .poll_timeout = 300ms});
    for (int i = 0; i < 5; ++i) first.step();
    ASSERT_LT(pieces.totals().observations, kObservations);
  }
  app::analyze(pieces, reference::builtin_reference(), {});  // a pass on half the data
  auto c = consumer("pieces");
  ingest::Ingestor resumed(*c, pieces, {.max_batch = 100, .poll_timeout = 300ms});
  auto before = pieces.totals();
  ingest(resumed, kObservations + kEvents - before.observations - before.events);
  publish_all();
  ingest(resumed, 2 * (kObservations + kEvents) - before.observations - before.events);
  EXPECT_EQ(pieces.totals().observations, kObservations);
  EXPECT_EQ(pieces.totals().events, kEvents);
  EXPECT_EQ(analysed(pieces), expected);
}

}  // namespace
}  // namespace eo::aggregator
