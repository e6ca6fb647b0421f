// The bus contract: every implementation of bus::Producer/Consumer passes these cases, run
// against the embedded log, against Kafka on librdkafka's mock cluster and, when
// EO_KAFKA_BOOTSTRAP names one (ctest -L kafka_real), on a real Apache Kafka broker.
#include "tests/common/bus/bus_backends.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

#include <signal.h>

namespace eo::bus::test {
namespace {

using namespace std::chrono_literals;

constexpr char kTopic[] = "observations.v1";
constexpr int kPartitions = 4;
constexpr int kKeys = 16;

class BusContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    backend_ = make_backend(GetParam());
    topic_ = backend_->name(kTopic);
    backend_->create_topic(topic_, kPartitions);
  }

  std::unique_ptr<Producer> producer(const std::string& client_id = "producer") {
    return make_producer(backend_->config(client_id));
  }
  std::unique_ptr<Consumer> consumer(const std::string& group = "aggregator") {
    return make_consumer(backend_->config("consumer"), backend_->name(group), {topic_});
  }

  // Publishes sequences [from, to) round-robin over kKeys keys.
  void publish_range(Producer& p, int from, int to) {
    for (int i = from; i < to; ++i) {
      std::string key = "target-" + std::to_string(i % kKeys);
      Status s = p.publish(topic_, key, make_value(key, i));
      ASSERT_TRUE(s.ok()) << s.detail;
    }
  }

  static auto until_distinct(std::size_t n) {
    return [n](const std::vector<Message>& all) { return distinct_sequences(all).size() >= n; };
  }

  std::unique_ptr<Backend> backend_;
  std::string topic_;
};

TEST_P(BusContract, PublishThenConsumeEverythingInKeyOrder) {
  constexpr int kCount = 1000;
  auto p = producer();
  publish_range(*p, 0, kCount);
  Status flushed = p->flush(15s);
  ASSERT_TRUE(flushed.ok()) << flushed.detail;
  EXPECT_EQ(p->stats().published, static_cast<std::uint64_t>(kCount));
  EXPECT_EQ(p->stats().spool_depth, 0u);

  auto c = consumer();
  auto got = consume_until(*c, 15s, until_distinct(kCount));
  EXPECT_EQ(distinct_sequences(got).size(), static_cast<std::size_t>(kCount));
  EXPECT_EQ(check_first_occurrence_order(got), "");
  std::map<std::pair<int, std::int64_t>, int> positions;  // (partition, offset) is unique
  for (const auto& m : got) {
    EXPECT_EQ(m.topic, topic_);
    EXPECT_GT(m.timestamp_us, 0);
    EXPECT_EQ(++positions[std::pair(m.partition, m.offset)], 1);
  }
  std::map<std::string, std::set<int>> partitions_of_key;
  for (const auto& m : got) partitions_of_key[m.key].insert(m.partition);
  for (const auto& [key, partitions] : partitions_of_key) EXPECT_EQ(partitions.size(), 1u) << key;
}

TEST_P(BusContract, RestartedConsumerResumesAfterCommit) {
  constexpr int kCount = 200;
  auto p = producer();
  publish_range(*p, 0, kCount);
  ASSERT_TRUE(p->flush(15s).ok());

  std::set<int> committed;
  {
    auto c = consumer();
    std::vector<Message> first;
    auto deadline = std::chrono::steady_clock::now() + 15s;
    while (first.size() < 50 && std::chrono::steady_clock::now() < deadline) {
      PollResult r = c->poll(50 - first.size(), 100ms);
      ASSERT_TRUE(r.status.ok()) << r.status.detail;
      for (auto& m : r.messages) first.push_back(std::move(m));
    }
    ASSERT_EQ(first.size(), 50u);
    Status s = c->commit(first);
    ASSERT_TRUE(s.ok()) << s.detail;
    committed = distinct_sequences(first);
  }
  auto c = consumer();
  auto rest = consume_until(*c, 15s, until_distinct(kCount - committed.size()));
  std::set<int> again = distinct_sequences(rest);
  EXPECT_EQ(again.size() + committed.size(), static_cast<std::size_t>(kCount));
  for (int s : committed) EXPECT_EQ(again.count(s), 0u) << "committed " << s << " came again";
}

TEST_P(BusContract, UncommittedRecordsAreRedeliveredAfterRestart) {
  constexpr int kCount = 100;
  auto p = producer();
  publish_range(*p, 0, kCount);
  ASSERT_TRUE(p->flush(15s).ok());
  {
    auto c = consumer();
    auto got = consume_until(*c, 15s, until_distinct(kCount));
    ASSERT_EQ(distinct_sequences(got).size(), static_cast<std::size_t>(kCount));
  }  // gone without committing
  auto c = consumer();
  auto got = consume_until(*c, 15s, until_distinct(kCount));
  EXPECT_EQ(distinct_sequences(got).size(), static_cast<std::size_t>(kCount));
  EXPECT_EQ(check_first_occurrence_order(got), "");
}

TEST_P(BusContract, RestartedProducerReplaysWhatWasPending) {
  constexpr int kCount = 500;
  {
    auto p = producer();
    publish_range(*p, 0, kCount);
  }  // destroyed at once: whatever the broker had not acknowledged stays in the spool
  auto p = producer();
  publish_range(*p, kCount, kCount + 10);
  Status flushed = p->flush(15s);
  ASSERT_TRUE(flushed.ok()) << flushed.detail;
  EXPECT_EQ(p->stats().spool_depth, 0u);

  auto c = consumer();
  auto got = consume_until(*c, 15s, until_distinct(kCount + 10));
  EXPECT_EQ(distinct_sequences(got).size(), static_cast<std::size_t>(kCount + 10));
  EXPECT_EQ(check_first_occurrence_order(got), "");
}

TEST_P(BusContract, TwoConsumersInOneGroupShareWithoutLossAndTakeOver) {
  constexpr int kCount = 400;
  auto p = producer();
  publish_range(*p, 0, kCount);
  ASSERT_TRUE(p->flush(15s).ok());

  auto a = consumer();
  auto b = consumer();
  std::vector<Message> got_a, got_b;
  auto deadline = std::chrono::steady_clock::now() + 15s;
  auto union_size = [&] {
    auto all = distinct_sequences(got_a);
    auto more = distinct_sequences(got_b);
    all.insert(more.begin(), more.end());
    return all.size();
  };
  while (union_size() < static_cast<std::size_t>(kCount) &&
         std::chrono::steady_clock::now() < deadline) {
    for (auto pair : {std::pair{a.get(), &got_a}, std::pair{b.get(), &got_b}}) {
      PollResult r = pair.first->poll(25, 50ms);  // small batches so both get a turn
      ASSERT_TRUE(r.status.ok()) << r.status.detail;
      for (auto& m : r.messages) pair.second->push_back(std::move(m));
    }
  }
  ASSERT_EQ(union_size(), static_cast<std::size_t>(kCount));
  if (backend_->is_kafka()) {  // several partitions: both members get some
    EXPECT_GT(got_a.size(), 0u);
    EXPECT_GT(got_b.size(), 0u);
  } else {  // one partition: one member reads, the other stands by
    EXPECT_TRUE(got_a.empty() || got_b.empty());
  }

  // The member that read most commits the first half of what it got and leaves; the other one
  // must then receive the uncommitted rest.
  auto& leaver = got_a.size() >= got_b.size() ? a : b;
  auto& leaver_got = got_a.size() >= got_b.size() ? got_a : got_b;
  auto& stayer = got_a.size() >= got_b.size() ? b : a;
  std::vector<Message> half(leaver_got.begin(), leaver_got.begin() + leaver_got.size() / 2);
  Status s = leaver->commit(half);
  ASSERT_TRUE(s.ok()) << s.detail;
  std::set<int> expected;
  for (std::size_t i = half.size(); i < leaver_got.size(); ++i) {
    expected.insert(sequence_of(leaver_got[i].value));
  }
  for (const auto& m : half) expected.erase(sequence_of(m.value));
  leaver.reset();
  auto taken_over = consume_until(*stayer, 15s, [&](const std::vector<Message>& all) {
    auto seen = distinct_sequences(all);
    for (int e : expected) {
      if (!seen.count(e)) return false;
    }
    return true;
  });
  auto seen = distinct_sequences(taken_over);
  for (int e : expected) EXPECT_TRUE(seen.count(e)) << "uncommitted " << e << " was lost";
}

// A publisher process is killed (SIGKILL) mid-run; a new producer on the same directory must
// still get every record that publish() acknowledged before the kill to the consumer.
TEST_P(BusContract, PublisherKilledMidRunLosesNothingAcknowledged) {
  eo::test::TempDir scratch;
  BusConfig config = backend_->config("agent");
  std::string ack_file = scratch.file("acks");
  std::vector<std::string> argv = {EO_BUS_PUBLISH_CHILD,
                                   ack_file,
                                   "10000000",
                                   config.kafka_brokers.empty() ? "-" : config.kafka_brokers,
                                   config.log_dir,
                                   config.client_id,
                                   topic_};
  for (const auto& [key, value] : config.kafka_overrides) argv.push_back(key + "=" + value);
  auto read_acks = [&] {
    std::set<int> acked;
    std::ifstream in(ack_file);
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty()) acked.insert(std::stoi(line));
    }
    return acked;
  };
  {
    eo::test::ChildProcess child(argv, scratch.file("child.log"));
    // Killed mid-run: once 3000 acknowledgements are on file (or the child died early, which
    // the assertion below reports with its log).
    eo::test::wait_until([&] { return read_acks().size() >= 3000 || !child.running(); }, 15s);
    ::kill(child.pid(), SIGKILL);
    child.stop();  // reaps it
    ASSERT_GE(read_acks().size(), 3000u) << child.log();
  }
  std::set<int> acked = read_acks();

  auto p = make_producer(config);
  ASSERT_TRUE(p->publish(topic_, "marker", make_value("marker", 100'000'000)).ok());
  Status flushed = p->flush(15s);
  ASSERT_TRUE(flushed.ok()) << flushed.detail;

  auto c = consumer();
  auto got = consume_until(*c, 15s, [&](const std::vector<Message>& all) {
    auto seen = distinct_sequences(all);
    return std::includes(seen.begin(), seen.end(), acked.begin(), acked.end());
  });
  auto seen = distinct_sequences(got);
  std::size_t missing = 0;
  for (int a : acked) missing += seen.count(a) ? 0 : 1;
  EXPECT_EQ(missing, 0u) << "of " << acked.size() << " acknowledged records";
  EXPECT_EQ(check_first_occurrence_order(got), "");
}

TEST_P(BusContract, InvalidInputIsRefusedAsAValue) {
  auto p = producer();
  EXPECT_EQ(p->publish("bad/topic", "k", "v").code, Code::invalid_argument);
  EXPECT_EQ(p->publish("", "k", "v").code, Code::invalid_argument);
  EXPECT_EQ(p->publish(topic_, "k", std::string(kMaxMessageBytes + 1, 'x')).code, Code::too_large);
  EXPECT_EQ(p->stats().published, 0u);
  EXPECT_THROW(make_consumer(backend_->config("c"), "", {topic_}), std::invalid_argument);
  EXPECT_THROW(make_consumer(backend_->config("c"), "g", {}), std::invalid_argument);
}

TEST_P(BusContract, PublishBatchAcceptsAPrefixWithPublishsGuarantees) {
  constexpr int kCount = 300;
  auto p = producer();
  std::vector<std::string> keys, values;
  for (int i = 0; i < kCount; ++i) {
    keys.push_back("target-" + std::to_string(i % kKeys));
    values.push_back(make_value(keys.back(), i));
  }
  std::vector<OutgoingRecord> batch;
  for (int i = 0; i < kCount; ++i) batch.push_back({topic_, keys[i], values[i]});
  EXPECT_TRUE(p->publish_batch({}).status.ok());
  BatchResult all = p->publish_batch(std::span(batch).first(200));
  ASSERT_TRUE(all.status.ok()) << all.status.detail;
  EXPECT_EQ(all.accepted, 200u);

  // A refused record stops the batch there: what precedes it is accepted, nothing after it.
  const std::string too_large(kMaxMessageBytes + 1, 'x');
  std::vector<OutgoingRecord> bad(batch.begin() + 200, batch.end());
  bad.insert(bad.begin() + 50, OutgoingRecord{topic_, "k", too_large});
  BatchResult partial = p->publish_batch(bad);
  EXPECT_EQ(partial.status.code, Code::too_large);
  EXPECT_EQ(partial.accepted, 50u);
  bad.insert(bad.begin() + 60, OutgoingRecord{"bad/topic", "k", "v"});
  BatchResult rest = p->publish_batch(std::span(bad).subspan(51));
  EXPECT_EQ(rest.status.code, Code::invalid_argument);
  EXPECT_EQ(rest.accepted, 9u);
  BatchResult last = p->publish_batch(std::span(bad).subspan(61));
  ASSERT_TRUE(last.status.ok()) << last.status.detail;
  EXPECT_EQ(last.accepted, 41u);
  EXPECT_EQ(p->stats().published, static_cast<std::uint64_t>(kCount));
  Status flushed = p->flush(15s);
  ASSERT_TRUE(flushed.ok()) << flushed.detail;

  auto c = consumer();
  auto got = consume_until(*c, 15s, until_distinct(kCount));
  EXPECT_EQ(distinct_sequences(got).size(), static_cast<std::size_t>(kCount));
  EXPECT_EQ(check_first_occurrence_order(got), "");
  for (const auto& m : got) EXPECT_GT(m.timestamp_us, 0);
}

// Polls (keeping what arrives) until read_position() says caught up, or `timeout` passes.
bool poll_until_caught_up(Consumer& c, std::vector<Message>& got,
                          std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    PollResult r = c.poll(100, 50ms);
    if (!r.status.ok()) return false;
    for (auto& m : r.messages) got.push_back(std::move(m));
    if (r.messages.empty() && c.read_position(5s).caught_up()) return true;
  }
  return false;
}

TEST_P(BusContract, ReadPositionSaysCaughtUpOnlyAtTheEndOfEveryHeldPartition) {
  constexpr int kCount = 120;
  auto p = producer();
  publish_range(*p, 0, kCount);
  ASSERT_TRUE(p->flush(15s).ok());
  {
    auto c = consumer();
    EXPECT_FALSE(c->read_position(5s).caught_up()) << "nothing was read yet";
    std::vector<Message> got;
    ASSERT_TRUE(poll_until_caught_up(*c, got, 15s));
    EXPECT_EQ(distinct_sequences(got).size(), static_cast<std::size_t>(kCount));
    ReadPosition at_end = c->read_position(5s);
    EXPECT_GT(at_end.partitions_held, 0u);
    EXPECT_EQ(at_end.partitions_behind, 0u);

    publish_range(*p, kCount, kCount + 1);
    ASSERT_TRUE(p->flush(15s).ok());
    ReadPosition behind = c->read_position(5s);
    ASSERT_TRUE(behind.status.ok()) << behind.status.detail;
    EXPECT_EQ(behind.partitions_behind, 1u);
    std::vector<Message> last;
    ASSERT_TRUE(poll_until_caught_up(*c, last, 15s));
    EXPECT_EQ(distinct_sequences(last), std::set<int>{kCount});
    ASSERT_TRUE(c->commit(got).ok());
    ASSERT_TRUE(c->commit(last).ok());
  }
  // A new member of the group that committed everything is caught up without reading a record.
  auto c = consumer();
  std::vector<Message> again;
  EXPECT_TRUE(poll_until_caught_up(*c, again, 15s));
  EXPECT_TRUE(again.empty()) << again.size() << " committed records came again";
}

// Kafka's lag per partition is its end minus the group's commit; the embedded log measures none.
TEST_P(BusContract, LagCountsWhatTheGroupHasNotCommitted) {
  constexpr int kCount = 200;
  auto p = producer();
  publish_range(*p, 0, kCount);
  ASSERT_TRUE(p->flush(15s).ok());
  auto c = consumer();
  auto got = consume_until(*c, 15s, until_distinct(kCount));
  ASSERT_EQ(distinct_sequences(got).size(), static_cast<std::size_t>(kCount));
  if (!backend_->is_kafka()) {
    EXPECT_TRUE(c->lag().empty());
    return;
  }
  std::vector<Message> first(got.begin(), got.begin() + 50);
  ASSERT_TRUE(c->commit(first).ok());
  PartitionLag end, committed, expected;
  for (const auto& m : got) {
    end[{m.topic, m.partition}] = std::max(end[{m.topic, m.partition}], m.offset + 1);
  }
  for (const auto& m : first) {
    committed[{m.topic, m.partition}] = std::max(committed[{m.topic, m.partition}], m.offset + 1);
  }
  for (const auto& [where, next] : committed) expected[where] = end[where] - next;
  auto measured = [&](const PartitionLag& want) {
    auto deadline = std::chrono::steady_clock::now() + 15s;
    PartitionLag lag;
    while (std::chrono::steady_clock::now() < deadline) {
      EXPECT_TRUE(c->poll(100, 100ms).messages.empty());  // serves the statistics callback
      lag = c->lag();
      bool matches = true;
      for (const auto& [where, behind] : want) {
        auto it = lag.find(where);
        matches = matches && it != lag.end() && it->second == behind;
      }
      if (matches) break;
    }
    return lag;
  };
  PartitionLag lag = measured(expected);
  for (const auto& [where, behind] : expected) EXPECT_EQ(lag[where], behind) << where.second;

  ASSERT_TRUE(c->commit(got).ok());
  PartitionLag none;
  for (const auto& [where, offset] : end) none[where] = 0;
  lag = measured(none);
  for (const auto& [where, behind] : none) EXPECT_EQ(lag[where], 0) << where.second;
}

INSTANTIATE_TEST_SUITE_P(Backends, BusContract, ::testing::ValuesIn(available_backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace eo::bus::test
