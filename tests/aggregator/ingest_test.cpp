// Ingest through the bus seam, on the embedded log and on librdkafka's mock cluster: replays and
// redeliveries change nothing, a consumer that dies between its write and its commit (or is
// replaced by another member) loses nothing and counts nothing twice, malformed records are
// recorded and never stop ingest.
#include "aggregator/ingest/ingestor.h"
#include "common/bus/topics.h"
#include "tests/aggregator/support.h"
#include "tests/common/bus/bus_backends.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace eo::aggregator::ingest {
namespace {

using namespace std::chrono_literals;
using bus::test::Backend;

const std::string kObservations(bus::topics::kObservations);
const std::string kEvents(bus::topics::kHoneypotEvents);

// Passes polls through; refuses to commit while `refuse` is set, as if the process died after
// its database write and before its commit.
class FlakyCommitConsumer final : public bus::Consumer {
 public:
  explicit FlakyCommitConsumer(bus::Consumer& inner) : inner_(inner) {}
  bus::PollResult poll(std::size_t max, std::chrono::milliseconds timeout) override {
    return inner_.poll(max, timeout);
  }
  bus::Status commit(std::span<const bus::Message> messages) override {
    if (refuse) return {bus::Code::unavailable, "test: commit refused"};
    return inner_.commit(messages);
  }
  bus::ReadPosition read_position(std::chrono::milliseconds timeout) override {
    return inner_.read_position(timeout);
  }
  bool refuse = false;

 private:
  bus::Consumer& inner_;
};

class Ingest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    backend_ = bus::test::make_backend(GetParam());
    backend_->create_topic(kObservations, 3);
    backend_->create_topic(kEvents, 1);
    producer_ = bus::make_producer(backend_->config("producer"));
  }

  void publish_observations(std::uint64_t from, std::uint64_t to) {
    for (auto i = from; i < to; ++i) {
      auto o = test::synthetic_observation(i, 20, 3);
      ASSERT_TRUE(producer_->publish(kObservations, o.target().id(), o.SerializeAsString()).ok());
    }
  }
  void publish_events(std::uint64_t from, std::uint64_t to) {
    for (auto i = from; i < to; ++i) {
      auto e = test::synthetic_event(i);
      ASSERT_TRUE(producer_->publish(kEvents, e.session_id(), e.SerializeAsString()).ok());
    }
  }
  void flush() { ASSERT_TRUE(producer_->flush(15s).ok()); }

  std::unique_ptr<bus::Consumer> consumer(const std::string& group = "aggregator") {
    return bus::make_consumer(backend_->config("consumer"), group, {kObservations, kEvents});
  }

  // Steps until the database holds `observations` and `events`, then until a poll is empty.
  static void ingest_until(Ingestor& ingestor, results::ResultsDb& db, std::uint64_t observations,
                           std::uint64_t events, std::chrono::seconds timeout = 30s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto totals = db.totals();
      if (totals.observations >= observations && totals.events >= events) break;
      ingestor.step();
    }
    while (ingestor.step() > 0) {
    }
  }

  std::unique_ptr<Backend> backend_;
  std::unique_ptr<bus::Producer> producer_;
  eo::test::TempDir dir_;
};

TEST_P(Ingest, EverythingOnceAndAReplayChangesNothing) {
  publish_observations(0, 600);
  publish_events(0, 100);
  flush();
  results::ResultsDb db(dir_.path() + "/a.sqlite");
  auto c = consumer();
  Ingestor ingestor(*c, db, {.max_batch = 200, .poll_timeout = 300ms});
  ingest_until(ingestor, db, 600, 100);
  EXPECT_EQ(db.totals().observations, 600u);
  EXPECT_EQ(db.totals().events, 100u);
  EXPECT_EQ(ingestor.stats().observations, 600u);
  // Committed offsets (eo_aggregator_committed_offset): every record of each topic, over its
  // partitions, once.
  std::map<std::string, std::int64_t> committed;
  for (const auto& [where, next] : ingestor.stats().committed) committed[where.first] += next;
  EXPECT_EQ(committed[std::string(kObservations)], 600);
  EXPECT_EQ(committed[std::string(kEvents)], 100);
  std::string before = test::dump(db);

  // The producers replay everything (a spool replay, a re-run agent): all duplicates.
  publish_observations(0, 600);
  publish_events(0, 100);
  flush();
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (ingestor.stats().observation_duplicates < 600 &&
         std::chrono::steady_clock::now() < deadline) {
    ingestor.step();
  }
  while (ingestor.stats().event_duplicates < 100 && std::chrono::steady_clock::now() < deadline) {
    ingestor.step();
  }
  EXPECT_EQ(ingestor.stats().observation_duplicates, 600u);
  EXPECT_EQ(ingestor.stats().event_duplicates, 100u);
  EXPECT_EQ(test::dump(db), before);

  // A fresh database fed the doubled stream is the same database.
  results::ResultsDb fresh(dir_.path() + "/b.sqlite");
  auto c2 = consumer("second-group");
  Ingestor second(*c2, fresh, {.max_batch = 500, .poll_timeout = 300ms});
  ingest_until(second, fresh, 600, 100);
  while (second.stats().consumed < 1400 && std::chrono::steady_clock::now() < deadline) {
    second.step();
  }
  EXPECT_EQ(second.stats().consumed, 1400u);
  EXPECT_EQ(test::dump(fresh), before);
}

TEST_P(Ingest, RestartBetweenWriteAndCommitLosesAndDoublesNothing) {
  publish_observations(0, 900);
  flush();
  results::ResultsDb db(dir_.path() + "/a.sqlite");
  {
    auto inner = consumer();
    FlakyCommitConsumer flaky(*inner);
    Ingestor ingestor(flaky, db, {.max_batch = 100, .poll_timeout = 300ms});
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while (db.totals().observations < 300 && std::chrono::steady_clock::now() < deadline) {
      ingestor.step();
    }
    flaky.refuse = true;  // the next batches are written, never committed; then the "crash"
    for (int i = 0; i < 3; ++i) ingestor.step();
  }
  auto written_before_restart = db.totals().observations;
  EXPECT_GT(written_before_restart, 300u);
  auto c = consumer();  // the same group: resumes after the last commit
  Ingestor resumed(*c, db, {.max_batch = 100, .poll_timeout = 300ms});
  ingest_until(resumed, db, 900, 0);
  EXPECT_EQ(db.totals().observations, 900u);
  EXPECT_GE(resumed.stats().observation_duplicates, 1u);  // the uncommitted batches came again
  EXPECT_EQ(resumed.stats().observations + written_before_restart, 900u);

  results::ResultsDb reference(dir_.path() + "/ref.sqlite");
  auto rc = consumer("reference");
  Ingestor straight(*rc, reference, {.max_batch = 1000, .poll_timeout = 300ms});
  ingest_until(straight, reference, 900, 0);
  EXPECT_EQ(test::dump(db), test::dump(reference));
}

TEST_P(Ingest, ASecondMemberJoiningMidStreamLosesAndDoublesNothing) {
  publish_observations(0, 600);
  flush();
  results::ResultsDb db(dir_.path() + "/a.sqlite");
  // Small batches: a must still be busy when b's group join (~3 s on Kafka) completes.
  auto ca = consumer();
  Ingestor a(*ca, db, {.max_batch = 10, .poll_timeout = 200ms});
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (db.totals().observations < 100 && std::chrono::steady_clock::now() < deadline) a.step();
  auto cb = consumer();  // the group rebalances (Kafka) or b stands by (embedded log)
  Ingestor b(*cb, db, {.max_batch = 10, .poll_timeout = 200ms});
  while (db.totals().observations < 600 && std::chrono::steady_clock::now() < deadline) {
    a.step();
    b.step();
  }
  EXPECT_EQ(db.totals().observations, 600u);
  EXPECT_EQ(a.stats().observations + b.stats().observations, 600u);
  if (backend_->is_kafka()) {
    EXPECT_GT(b.stats().observations, 0u);  // it did take partitions
  }

  results::ResultsDb reference(dir_.path() + "/ref.sqlite");
  auto rc = consumer("reference");
  Ingestor straight(*rc, reference, {.max_batch = 1000, .poll_timeout = 300ms});
  ingest_until(straight, reference, 600, 0);
  EXPECT_EQ(test::dump(db), test::dump(reference));
}

TEST_P(Ingest, MalformedRecordsAreRecordedOnceAndIngestGoesOn) {
  auto good = test::synthetic_observation(1);
  auto no_id = test::synthetic_observation(2);
  no_id.clear_observation_id();
  ASSERT_TRUE(producer_->publish(kObservations, "k", "\xff\xff\xff garbage").ok());
  ASSERT_TRUE(producer_->publish(kObservations, "k", no_id.SerializeAsString()).ok());
  ASSERT_TRUE(producer_->publish(kObservations, "k", good.SerializeAsString()).ok());
  ASSERT_TRUE(producer_->publish(kEvents, "s", std::string("\x0a\xff", 2)).ok());
  flush();
  results::ResultsDb db(dir_.path() + "/a.sqlite");
  {
    auto inner = consumer();
    FlakyCommitConsumer flaky(*inner);
    flaky.refuse = true;  // everything comes again to the next consumer
    Ingestor ingestor(flaky, db, {.max_batch = 100, .poll_timeout = 300ms});
    ingest_until(ingestor, db, 1, 0);
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (ingestor.stats().malformed < 3 && std::chrono::steady_clock::now() < deadline) {
      ingestor.step();
    }
    EXPECT_EQ(ingestor.stats().malformed, 3u);
  }
  auto c = consumer();
  Ingestor again(*c, db, {.max_batch = 100, .poll_timeout = 300ms});
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (again.stats().malformed < 3 && std::chrono::steady_clock::now() < deadline) again.step();
  EXPECT_EQ(again.stats().malformed, 3u);  // seen again ...
  auto malformed = db.malformed();         // ... recorded once
  ASSERT_EQ(malformed.size(), 3u);
  std::multiset<std::string> reasons;
  for (const auto& m : malformed) reasons.insert(m.reason);
  EXPECT_EQ(reasons,
            (std::multiset<std::string>{"not an eo.v1.HoneypotEvent", "not an eo.v1.Observation",
                                        "observation without observation_id"}));
  EXPECT_EQ(db.totals().observations, 1u);
}

INSTANTIATE_TEST_SUITE_P(Backends, Ingest, ::testing::Values("local", "kafka"));

}  // namespace
}  // namespace eo::aggregator::ingest
