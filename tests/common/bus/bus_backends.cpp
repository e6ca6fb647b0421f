// Test backends. Kafka settings here only make the tests fast: short reconnect back-off, quick
// heartbeats so that rebalances are noticed within a second (the real broker allows sessions from
// 1 s: tests/support/kafka/kafka_cluster.py), and on the mock a 3 s message timeout, so that an
// outage exercises the producer's start-over path.
#include "tests/common/bus/bus_backends.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <map>
#include <memory>
#include <stdexcept>

#include <unistd.h>

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

namespace {

BusConfig kafka_config(const std::string& brokers, const std::string& log_dir,
                       const std::string& client_id, const std::string& message_timeout_ms) {
  BusConfig config;
  config.kafka_brokers = brokers;
  config.log_dir = log_dir;
  config.client_id = client_id;
  config.kafka_overrides = {
      {"reconnect.backoff.max.ms", "500"},
      {"message.timeout.ms", message_timeout_ms},
      {"heartbeat.interval.ms", "300"},
      {"session.timeout.ms", "3000"},
      {"fetch.wait.max.ms", "50"},
      {"topic.metadata.refresh.interval.ms", "1000"},
      {"statistics.interval.ms", "200"},  // Consumer::lag() within a poll or two
      {"log_level", "2"},  // the outage tests make librdkafka complain loudly otherwise
  };
  if (const char* debug = std::getenv("EO_BUS_TEST_KAFKA_DEBUG")) {  // e.g. "cgrp,fetch"
    config.kafka_overrides["debug"] = debug;
    config.kafka_overrides["log_level"] = "7";
  }
  return config;
}

using Handle = std::unique_ptr<rd_kafka_t, decltype(&rd_kafka_destroy)>;

Handle admin_handle(const std::string& brokers) {
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  if (rd_kafka_conf_set(conf, "bootstrap.servers", brokers.c_str(), errstr, sizeof errstr) !=
      RD_KAFKA_CONF_OK) {
    rd_kafka_conf_destroy(conf);
    throw std::invalid_argument(std::string(RealKafkaBackend::kEnv) + ": " + errstr);
  }
  rd_kafka_t* handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!handle) throw std::runtime_error(std::string("admin handle: ") + errstr);
  return Handle(handle, &rd_kafka_destroy);
}

int broker_count(rd_kafka_t* handle) {
  const rd_kafka_metadata_t* metadata = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(handle, 0, nullptr, &metadata, 10'000);
  if (err) {
    throw std::runtime_error(std::string("metadata from ") + RealKafkaBackend::kEnv + ": " +
                             rd_kafka_err2str(err));
  }
  int count = metadata->broker_cnt;
  rd_kafka_metadata_destroy(metadata);
  return count;
}

}  // namespace

BusConfig MockKafkaBackend::config(const std::string& client_id) const {
  return kafka_config(bootstraps_, dir_.path() + "/log", client_id, "3000");
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

RealKafkaBackend::RealKafkaBackend() {
  const char* brokers = std::getenv(kEnv);
  if (!brokers || !*brokers) throw std::invalid_argument(std::string(kEnv) + ": not set");
  bootstraps_ = brokers;
  static std::atomic<int> instances{0};
  suffix_ = std::to_string(::getpid()) + "-" + std::to_string(instances++);
}

BusConfig RealKafkaBackend::config(const std::string& client_id) const {
  // 10 s: the first idempotent produce may wait for the transaction coordinator to load.
  return kafka_config(bootstraps_, dir_.path() + "/log", client_id, "10000");
}

void RealKafkaBackend::create_topic(const std::string& topic, int partitions) {
  Handle handle = admin_handle(bootstraps_);
  int replicas = std::min(3, broker_count(handle.get()));
  char errstr[512];
  rd_kafka_NewTopic_t* new_topic =
      rd_kafka_NewTopic_new(topic.c_str(), partitions, replicas, errstr, sizeof errstr);
  if (!new_topic) throw std::invalid_argument("topic " + topic + ": " + errstr);
  rd_kafka_queue_t* queue = rd_kafka_queue_new(handle.get());
  rd_kafka_CreateTopics(handle.get(), &new_topic, 1, nullptr, queue);
  rd_kafka_event_t* event = rd_kafka_queue_poll(queue, 30'000);
  std::string error = !event                        ? "no answer in 30 s"
                      : rd_kafka_event_error(event) ? rd_kafka_event_error_string(event)
                                                    : "";
  if (event && error.empty()) {
    size_t count = 0;
    const rd_kafka_topic_result_t** results =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count);
    for (size_t i = 0; i < count; ++i) {
      if (rd_kafka_topic_result_error(results[i])) {
        error = rd_kafka_topic_result_error_string(results[i]);
      }
    }
  }
  if (event) rd_kafka_event_destroy(event);
  rd_kafka_queue_destroy(queue);
  rd_kafka_NewTopic_destroy(new_topic);
  if (!error.empty()) throw std::runtime_error("create topic " + topic + ": " + error);
}

std::unique_ptr<Backend> make_backend(const std::string& name) {
  if (name == "kafka") return std::make_unique<MockKafkaBackend>();
  if (name == "kafka_real") return std::make_unique<RealKafkaBackend>();
  return std::make_unique<LocalBackend>();
}

std::vector<std::string> available_backends() {
  std::vector<std::string> names = {"embedded", "kafka"};
  if (const char* brokers = std::getenv(RealKafkaBackend::kEnv); brokers && *brokers) {
    names.push_back("kafka_real");
  }
  return names;
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
