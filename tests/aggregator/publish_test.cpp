// findings.v1 publishing through the embedded log: the first pass publishes every finding (key =
// server, an eo.v1.Finding each), a second pass with the same findings publishes nothing, a
// changed finding is published again, a finding that went away is withdrawn once and is news
// again when it comes back. A refused batch records only what the producer accepted.
#include "aggregator/findings/publish.h"

#include <gtest/gtest.h>

#include "aggregator/results/results_db.h"
#include "common/bus/factory.h"
#include "common/bus/topics.h"
#include "tests/support/process.h"

namespace eo::aggregator::findings {
namespace {

using namespace std::chrono_literals;

class Publish : public ::testing::Test {
 protected:
  Publish() : db_(dir_.file("r.sqlite")) {
    config_.log_dir = dir_.file("bus");
    config_.client_id = "aggregator-test";
    producer_ = bus::make_producer(config_);
    consumer_ = bus::make_consumer(config_, "reader", {std::string(bus::topics::kFindings)});
  }

  // Everything on findings.v1 since the last call.
  std::vector<bus::Message> read() {
    std::vector<bus::Message> out;
    for (;;) {
      auto polled = consumer_->poll(100, 200ms);
      EXPECT_TRUE(polled.status.ok()) << polled.status.detail;
      if (polled.messages.empty()) return out;
      EXPECT_TRUE(consumer_->commit(polled.messages).ok());
      out.insert(out.end(), polled.messages.begin(), polled.messages.end());
    }
  }

  PublishResult pass(const std::vector<Finding>& findings) {
    return publish_new(db_.database(), *producer_, identify(findings), 42);
  }

  eo::test::TempDir dir_;
  results::ResultsDb db_;
  bus::BusConfig config_;
  std::unique_ptr<bus::Producer> producer_;
  std::unique_ptr<bus::Consumer> consumer_;
};

Finding make_a() {
  Finding f;
  f.kind = kOperatorCluster;
  f.server = "a.example";
  f.summary = "cluster";
  return f;
}

Finding make_b() {
  Finding f;
  f.kind = "differential.error";
  f.server = "b.example";
  f.target_id = "tcp://b:1";
  f.vantage_id = "v2";
  f.dimension = "error";
  f.p = 0.001;
  f.q = 0.01;
  f.summary = "errors for v2";
  f.evidence = {"o1"};
  return f;
}

// The eo.v1.Finding a record carries (an empty one, and a test failure, if it is not one).
v1::Finding parsed(const bus::Message& message) {
  v1::Finding f;
  EXPECT_TRUE(f.ParseFromString(message.value)) << message.key;
  return f;
}

const Finding kA = make_a();
const Finding kB = make_b();

TEST_F(Publish, NewThenNothingThenChanged) {
  auto first = pass({kA, kB});
  EXPECT_TRUE(first.status.ok());
  EXPECT_EQ(first.published, 2u);
  EXPECT_EQ(first.unchanged, 0u);
  auto messages = read();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].topic, bus::topics::kFindings);
  EXPECT_EQ(messages[0].key, "b.example");  // identify's order: by kind
  v1::Finding f;
  ASSERT_TRUE(f.ParseFromString(messages[0].value));
  EXPECT_EQ(f.finding_id(), finding_id(kB));
  EXPECT_EQ(f.kind(), "differential.error");
  EXPECT_EQ(f.q_value(), 0.01);
  EXPECT_EQ(f.created_unix_us(), 42);
  EXPECT_EQ(messages[1].key, "a.example");

  auto second = pass({kB, kA});
  EXPECT_EQ(second.published, 0u);
  EXPECT_EQ(second.unchanged, 2u);
  EXPECT_TRUE(read().empty());

  Finding changed = kB;
  changed.evidence.push_back("o2");
  auto third = pass({kA, changed});
  EXPECT_EQ(third.published, 1u);
  messages = read();
  ASSERT_EQ(messages.size(), 1u);
  ASSERT_TRUE(f.ParseFromString(messages[0].value));
  EXPECT_EQ(f.finding_id(), finding_id(kB));  // the same finding, said anew
  EXPECT_EQ(f.evidence_observation_ids_size(), 2);
}

TEST_F(Publish, SurvivesARestartAndWithdrawsWhatWentAwayOnce) {
  pass({kA, kB});
  read();
  // A new process: a new producer on the same log, the bookkeeping in the same database.
  producer_.reset();
  producer_ = bus::make_producer(config_);
  EXPECT_EQ(pass({kA, kB}).published, 0u);
  auto gone = pass({kA});  // b no longer holds ...
  EXPECT_EQ(gone.published, 0u);
  EXPECT_EQ(gone.withdrawn, 1u);
  auto messages = read();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].key, "b.example");
  v1::Finding w = parsed(messages[0]);
  EXPECT_TRUE(w.withdrawn());
  EXPECT_EQ(w.finding_id(), finding_id(kB));
  EXPECT_EQ(w.kind(), "differential.error");
  EXPECT_EQ(w.target_id(), "tcp://b:1");
  EXPECT_EQ(w.vantage_id(), "v2");
  EXPECT_EQ(w.evidence_observation_ids_size(), 0);
  EXPECT_EQ(pass({kA}).withdrawn, 0u);  // ... said once
  EXPECT_TRUE(read().empty());
  auto back = pass({kA, kB});  // ... and came back: news again
  EXPECT_EQ(back.published, 1u);
  messages = read();
  ASSERT_EQ(messages.size(), 1u);
  w = parsed(messages[0]);
  EXPECT_FALSE(w.withdrawn());
  EXPECT_EQ(w.finding_id(), finding_id(kB));
}

// Accepts the first `room` records of a batch, then refuses.
class FullProducer : public bus::Producer {
 public:
  explicit FullProducer(std::size_t room) : room_(room) {}
  bus::Status publish(std::string_view, std::string_view, std::string_view) override {
    return {bus::Code::unavailable, "full"};
  }
  bus::BatchResult publish_batch(std::span<const bus::OutgoingRecord> records) override {
    std::size_t n = std::min(room_, records.size());
    room_ -= n;
    if (n == records.size()) return {{}, n};
    return {{bus::Code::unavailable, "full"}, n};
  }
  bus::Status flush(std::chrono::milliseconds) override { return {}; }
  bus::ProducerStats stats() const override { return {}; }

 private:
  std::size_t room_;
};

TEST_F(Publish, ARefusedRecordIsTriedAgain) {
  FullProducer full(1);
  auto partial = publish_new(db_.database(), full, identify({kA, kB}), 1);
  EXPECT_FALSE(partial.status.ok());
  EXPECT_EQ(partial.published, 1u);
  auto retry = pass({kA, kB});
  EXPECT_EQ(retry.published, 1u);
  EXPECT_EQ(retry.unchanged, 1u);
  auto messages = read();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].key, "a.example");
}

TEST_F(Publish, ARefusedWithdrawalIsTriedAgain) {
  pass({kA, kB});
  read();
  FullProducer full(0);
  auto refused = publish_new(db_.database(), full, identify({kA}), 1);
  EXPECT_FALSE(refused.status.ok());
  EXPECT_EQ(refused.withdrawn, 0u);
  auto retry = pass({kA});
  EXPECT_EQ(retry.withdrawn, 1u);
  auto messages = read();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].key, "b.example");
}

// A database from before schema v4 names its published findings by id and hash only: migration
// takes what a withdrawal needs from the last analysis's findings table.
TEST_F(Publish, FindingsPublishedBeforeV4CanBeWithdrawn) {
  save_findings(db_.database(), identify({kA, kB}));
  pass({kA, kB});
  read();
  const std::string path = dir_.file("r.sqlite");
  {
    results::Database raw(path);
    raw.exec("PRAGMA user_version = 3");
    raw.exec("ALTER TABLE findings_published DROP COLUMN vantage_id");
    raw.exec("ALTER TABLE findings_published DROP COLUMN target_id");
    raw.exec("ALTER TABLE findings_published DROP COLUMN server");
    raw.exec("ALTER TABLE findings_published DROP COLUMN kind");
  }
  results::ResultsDb migrated(path);
  EXPECT_EQ(publish_new(migrated.database(), *producer_, identify({kA}), 7).withdrawn, 1u);
  auto messages = read();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].key, "b.example");
  v1::Finding w = parsed(messages[0]);
  EXPECT_TRUE(w.withdrawn());
  EXPECT_EQ(w.kind(), "differential.error");
  EXPECT_EQ(w.vantage_id(), "v2");
}

}  // namespace
}  // namespace eo::aggregator::findings
