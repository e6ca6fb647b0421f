// Test backends. Kafka settings here only make the mock cluster's tests fast: short reconnect
// back-off, a 3 s message timeout (so an outage exercises the producer's start-over path), and
// quick heartbeats so that rebalances are noticed within a second.
#include "tests/common/bus/bus_backends.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <cstdlib>
#include <map>
#include <stdexcept>

namespace eo::bus::test {

BusConfig LocalBackend::config(const std::string& client_id) const {
  BusConfig config;
  config.log_dir = dir_.path() + "/log";
  config.client_id = client_id;
  return config;
}

MockKafkaBackend::MockKafkaBackend() {
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
  handle_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!handle_) throw std::runtime_error(std::string("mock cluster handle: ") + errstr);
  cluster_ = rd_kafka_mock_cluster_new(handle_, kBrokers);
  if (!cluster_) throw std::runtime_error("rd_kafka_mock_cluster_new failed");
  bootstraps_ = rd_kafka_mock_cluster_bootstraps(cluster_);
}

MockKafkaBackend::~MockKafkaBackend() {
  if (cluster_) rd_kafka_mock_cluster_destroy(cluster_);
  if (handle_) rd_kafka_destroy(handle_);
}

BusConfig MockKafkaBackend::config(const std::string& client_id) const {
  BusConfig config;
  config.kafka_brokers = bootstraps_;
  config.log_dir = dir_.path() + "/log";
  config.client_id = client_id;
  config.kafka_overrides = {
      {"reconnect.backoff.max.ms", "500"},
      {"message.timeout.ms", "3000"},
      {"heartbeat.interval.ms", "300"},
      {"session.timeout.ms", "3000"},
      {"fetch.wait.max.ms", "50"},
      {"topic.metadata.refresh.interval.ms", "1000"},
      {"log_level", "2"},  // the outage tests make librdkafka complain loudly otherwise
  };
  if (const char* debug = std::getenv("EO_BUS_TEST_KAFKA_DEBUG")) {  // e.g. "cgrp,fetch"
    config.kafka_overrides["debug"] = debug;
    config.kafka_overrides["log_level"] = "7";
  }
  return config;
}

void MockKafkaBackend::create_topic(const std::string& topic, int partitions) {
  if (rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, kBrokers)) {
    throw std::runtime_error("rd_kafka_mock_topic_create " + topic);
  }
}

void MockKafkaBackend::set_all_brokers_down() {
  for (int id = 1; id <= kBrokers; ++id) rd_kafka_mock_broker_set_down(cluster_, id);
}

void MockKafkaBackend::set_all_brokers_up() {
  for (int id = 1; id <= kBrokers; ++id) rd_kafka_mock_broker_set_up(cluster_, id);
}

std::unique_ptr<Backend> make_backend(const std::string& name) {
  if (name == "kafka") return std::make_unique<MockKafkaBackend>();
  return std::make_unique<LocalBackend>();
}

std::string make_value(const std::string& key, int sequence) {
  return key + ":" + std::to_string(sequence);
}

int sequence_of(const std::string& value) {
  auto colon = value.rfind(':');
  return colon == std::string::npos ? -1 : std::stoi(value.substr(colon + 1));
}

std::vector<Message> consume_until(Consumer& consumer, std::chrono::milliseconds timeout,
                                   const std::function<bool(const std::vector<Message>&)>& done,
                                   bool commit_each_batch) {
  std::vector<Message> all;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done(all) && std::chrono::steady_clock::now() < deadline) {
    PollResult batch = consumer.poll(500, std::chrono::milliseconds(100));
    if (!batch.status.ok()) throw std::runtime_error("poll: " + batch.status.detail);
    if (commit_each_batch && !batch.messages.empty()) {
      Status s = consumer.commit(batch.messages);
      if (!s.ok()) throw std::runtime_error("commit: " + s.detail);
    }
    for (auto& m : batch.messages) all.push_back(std::move(m));
  }
  return all;
}

std::set<int> distinct_sequences(const std::vector<Message>& messages) {
  std::set<int> seen;
  for (const auto& m : messages) seen.insert(sequence_of(m.value));
  return seen;
}

std::string check_first_occurrence_order(const std::vector<Message>& messages) {
  std::map<std::string, std::set<int>> seen;
  std::map<std::string, int> last_first;
  for (const auto& m : messages) {
    int sequence = sequence_of(m.value);
    if (!seen[m.key].insert(sequence).second) continue;  // a redelivery
    auto [it, inserted] = last_first.try_emplace(m.key, sequence);
    if (!inserted) {
      if (sequence < it->second) {
        return "key " + m.key + ": " + std::to_string(sequence) + " first seen after " +
               std::to_string(it->second);
      }
      it->second = sequence;
    }
  }
  return "";
}

}  // namespace eo::bus::test
