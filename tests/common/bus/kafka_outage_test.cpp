// Kafka-only contract cases: the brokers go away (all of them) and come back, the producer is
// destroyed while they are away, the brokers refuse produce requests. Nothing may be lost.
#include "tests/common/bus/bus_backends.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <gtest/gtest.h>

#include <thread>

namespace eo::bus::test {
namespace {

using namespace std::chrono_literals;

constexpr char kTopic[] = "observations.v1";
constexpr int kKeys = 16;

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
  constexpr int kCount = 2000;
  auto p = make_producer(kafka_.config("agent"));
  ASSERT_TRUE(p->publish(kTopic, "warm-up", make_value("warm-up", -1)).ok());
  ASSERT_TRUE(p->flush(10s).ok());  // connected, so the outage hits a producer in full flow
  auto outage_start = std::chrono::steady_clock::now();
  for (int i = 0; i < kCount; ++i) {
    if (i == 600) {
      kafka_.set_all_brokers_down();  // records are in flight right now
      outage_start = std::chrono::steady_clock::now();
    }
    publish_range(*p, i, i + 1);  // accepted whether or not the brokers are there
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_GT(p->stats().delivered, 1u);
  // Longer than message.timeout.ms (3 s): records time out and the producer starts over.
  std::this_thread::sleep_until(outage_start + 4s);
  EXPECT_GT(p->stats().spool_depth, 0u);
  kafka_.set_all_brokers_up();
  Status flushed = p->flush(20s);
  ASSERT_TRUE(flushed.ok()) << flushed.detail;
  ProducerStats stats = p->stats();
  EXPECT_EQ(stats.spool_depth, 0u);
  std::printf("outage: delivered=%llu replayed=%llu delivery_errors=%llu\n",
              static_cast<unsigned long long>(stats.delivered),
              static_cast<unsigned long long>(stats.replayed),
              static_cast<unsigned long long>(stats.delivery_errors));

  auto got = consume_all(kCount + 1);
  EXPECT_EQ(distinct_sequences(got).size(), static_cast<std::size_t>(kCount + 1));
  EXPECT_EQ(check_first_occurrence_order(got), "");
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
