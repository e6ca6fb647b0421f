// Kafka-only contract cases: the brokers go away (all of them) and come back, the producer is
// destroyed while they are away, the brokers refuse produce requests. Nothing may be lost.
#include "tests/common/bus/bus_backends.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstdio>

namespace eo::bus::test {
namespace {

using namespace std::chrono_literals;

constexpr char kTopic[] = "observations.v1";
constexpr int kKeys = 16;

// Wall-clock milliseconds: the clock and unit of the timestamps Kafka keeps for each record.
std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class KafkaOutage : public ::testing::Test {
 protected:
  void SetUp() override { kafka_.create_topic(kTopic, 4); }

  void publish_range(Producer& p, int from, int to) {
    for (int i = from; i < to; ++i) {
      std::string key = "target-" + std::to_string(i % kKeys);
      Status s = p.publish(kTopic, key, make_value(key, i));
      ASSERT_TRUE(s.ok()) << s.detail;
    }
  }

  std::vector<Message> consume_all(int count) {
    auto c = make_consumer(kafka_.config("consumer"), "aggregator", {kTopic});
    return consume_until(*c, 15s, [count](const std::vector<Message>& all) {
      return distinct_sequences(all).size() >= static_cast<std::size_t>(count);
    });
  }

  MockKafkaBackend kafka_;
};

TEST_F(KafkaOutage, AllBrokersDownMidRunThenUpLosesNothing) {
  // Published before, during and after the outage; the record timestamps (when the spool took
  // each one) and the producer's counters show that the outage really overlapped the run.
  constexpr int kBefore = 600;
  constexpr int kDuring = 1200;
  constexpr int kAfter = 200;
  constexpr int kCount = kBefore + kDuring + kAfter;
  auto p = make_producer(kafka_.config("agent"));
  ASSERT_TRUE(p->publish(kTopic, "warm-up", make_value("warm-up", -1)).ok());
  ASSERT_TRUE(p->flush(10s).ok());  // connected, so the outage hits a producer in full flow

  publish_range(*p, 0, kBefore / 2);
  ASSERT_TRUE(eo::test::wait_until([&] { return p->stats().delivered > kBefore / 2; }, 10s))
      << "the brokers did not acknowledge the first records before the outage";
  publish_range(*p, kBefore / 2, kBefore);  // still in librdkafka's queue (linger) or in flight
  const std::int64_t outage_start_ms = now_ms();
  kafka_.set_all_brokers_down();
  const ProducerStats at_start = p->stats();
  EXPECT_GT(at_start.spool_depth, 0u) << "nothing was left to deliver when the outage began";

  publish_range(*p, kBefore, kBefore + kDuring);  // accepted although no broker is there
  // Records time out (message.timeout.ms, 3 s) and the producer starts over from its spool,
  // all while the brokers are still down.
  ASSERT_TRUE(eo::test::wait_until(
      [&] {
        ProducerStats s = p->stats();
        return s.delivery_errors > 0 && s.replayed > 0;
      },
      15s))
      << "no delivery failed and nothing was resent during the outage";
  const ProducerStats at_end = p->stats();
  const std::int64_t outage_end_ms = now_ms();
  kafka_.set_all_brokers_up();
  EXPECT_GE(at_end.spool_depth, static_cast<std::uint64_t>(kDuring))
      << "records published during the outage were acknowledged while every broker was down";

  publish_range(*p, kBefore + kDuring, kCount);
  Status flushed = p->flush(20s);
  ASSERT_TRUE(flushed.ok()) << flushed.detail;
  ProducerStats stats = p->stats();
  EXPECT_EQ(stats.spool_depth, 0u);
  std::printf(
      "outage: %lld ms, unacknowledged at its start=%llu at its end=%llu; "
      "delivered=%llu replayed=%llu delivery_errors=%llu\n",
      static_cast<long long>(outage_end_ms - outage_start_ms),
      static_cast<unsigned long long>(at_start.spool_depth),
      static_cast<unsigned long long>(at_end.spool_depth),
      static_cast<unsigned long long>(stats.delivered),
      static_cast<unsigned long long>(stats.replayed),
      static_cast<unsigned long long>(stats.delivery_errors));

  auto got = consume_all(kCount + 1);
  EXPECT_EQ(distinct_sequences(got).size(), static_cast<std::size_t>(kCount + 1));
  EXPECT_EQ(check_first_occurrence_order(got), "");
  // Each record was spooled in its phase: the producing began before the outage, went on
  // through it and ended after it (Kafka keeps the spool's timestamp, in milliseconds).
  std::size_t out_of_phase = 0;
  for (const auto& m : got) {
    const int seq = sequence_of(m.value);
    if (seq < 0) continue;  // the warm-up
    const std::int64_t ms = m.timestamp_us / 1000;
    const bool in_phase = seq < kBefore             ? ms <= outage_start_ms
                          : seq < kBefore + kDuring ? ms >= outage_start_ms && ms <= outage_end_ms
                                                    : ms >= outage_end_ms;
    if (!in_phase) ++out_of_phase;
  }
  EXPECT_EQ(out_of_phase, 0u) << "records whose spool timestamp falls outside their phase";
}

TEST_F(KafkaOutage, ProducerDestroyedWhileBrokersDownIsReplayedByTheNextOne) {
  constexpr int kCount = 500;
  kafka_.set_all_brokers_down();
  {
    auto p = make_producer(kafka_.config("agent"));
    publish_range(*p, 0, kCount);
    Status flushed = p->flush(300ms);
    EXPECT_EQ(flushed.code, Code::timeout) << flushed.detail;  // durably spooled, not delivered
    EXPECT_EQ(p->stats().spool_depth, static_cast<std::uint64_t>(kCount));
  }
  kafka_.set_all_brokers_up();
  auto p = make_producer(kafka_.config("agent"));
  EXPECT_EQ(p->stats().spool_depth, static_cast<std::uint64_t>(kCount));
  Status flushed = p->flush(15s);
  ASSERT_TRUE(flushed.ok()) << flushed.detail;
  EXPECT_EQ(p->stats().replayed, static_cast<std::uint64_t>(kCount));
  EXPECT_EQ(p->stats().spool_depth, 0u);

  auto got = consume_all(kCount);
  EXPECT_EQ(distinct_sequences(got).size(), static_cast<std::size_t>(kCount));
  EXPECT_EQ(check_first_occurrence_order(got), "");
}

TEST_F(KafkaOutage, RefusedProduceRequestsAreResentFromTheSpoolInOrder) {
  constexpr int kCount = 300;
  // Non-retriable for librdkafka: the records fail, and the producer must start over.
  rd_kafka_mock_push_request_errors(
      kafka_.cluster(), 0 /* Produce */, 3, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
      RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
  auto p = make_producer(kafka_.config("agent"));
  publish_range(*p, 0, kCount);
  Status flushed = p->flush(15s);
  ASSERT_TRUE(flushed.ok()) << flushed.detail;
  EXPECT_GT(p->stats().delivery_errors, 0u);
  EXPECT_GT(p->stats().replayed, 0u);

  auto got = consume_all(kCount);
  EXPECT_EQ(distinct_sequences(got).size(), static_cast<std::size_t>(kCount));
  EXPECT_EQ(check_first_occurrence_order(got), "");
}

TEST_F(KafkaOutage, SecondLiveProducerOnTheSameSpoolIsRefused) {
  auto p = make_producer(kafka_.config("agent"));
  EXPECT_THROW(make_producer(kafka_.config("agent")), std::runtime_error);
  EXPECT_NO_THROW(make_producer(kafka_.config("honeypot")));
}

}  // namespace
}  // namespace eo::bus::test
