// Observations/s through a real Kafka cluster with the bus's own settings (idempotent producer,
// acks=all, the write-ahead spool): publishes N records of a given size over 16 keys, waits until
// every one is acknowledged, then reads them all back as one consumer group member. Prints one
// line per phase. Run beside a cluster:
//   tests/support/kafka/run_with_kafka.py [--nodes 3] -- build/tests/common/bus/kafka_throughput N
//   BYTES
#include "tests/common/bus/bus_backends.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) try {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s RECORDS VALUE_BYTES (with EO_KAFKA_BOOTSTRAP set)\n", argv[0]);
    return 2;
  }
  const int count = std::stoi(argv[1]);
  const std::size_t bytes = std::stoul(argv[2]);
  eo::bus::test::RealKafkaBackend kafka;
  const std::string topic = kafka.name("observations.v1");
  kafka.create_topic(topic, 12);
  auto config = kafka.config("bench");
  config.kafka_overrides.erase("statistics.interval.ms");
  config.kafka_overrides["message.timeout.ms"] = "60000";

  auto producer = eo::bus::make_producer(config);
  std::string value(bytes, 'o');
  auto start = Clock::now();
  for (int i = 0; i < count; ++i) {
    std::string key = "target-" + std::to_string(i % 16);
    auto status = producer->publish(topic, key, value);
    if (!status.ok()) throw std::runtime_error("publish: " + status.detail);
  }
  auto published = Clock::now();
  auto flushed = producer->flush(120s);
  if (!flushed.ok()) throw std::runtime_error("flush: " + flushed.detail);
  auto acked = Clock::now();
  auto seconds = [](Clock::duration d) { return std::chrono::duration<double>(d).count(); };
  std::printf(
      "produce: %d records of %zu bytes, acks=all: spooled in %.2f s, all acknowledged "
      "in %.2f s: %.0f records/s\n",
      count, bytes, seconds(published - start), seconds(acked - start),
      count / seconds(acked - start));

  auto consumer = eo::bus::make_consumer(config, kafka.name("aggregator"), {topic});
  start = Clock::now();
  auto got = eo::bus::test::consume_until(*consumer, 120s, [&](const auto& all) {
    return all.size() >= static_cast<std::size_t>(count);
  });
  auto read = Clock::now();
  if (got.size() < static_cast<std::size_t>(count)) {
    throw std::runtime_error("read " + std::to_string(got.size()) + " of " + std::to_string(count));
  }
  std::printf("consume: %zu records in %.2f s (group join included): %.0f records/s\n", got.size(),
              seconds(read - start), got.size() / seconds(read - start));
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "kafka_throughput: %s\n", e.what());
  return 1;
}
