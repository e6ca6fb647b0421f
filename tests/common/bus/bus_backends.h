// The bus backends the contract suite runs against: the embedded log in a temp dir, Kafka against
// librdkafka's in-process mock cluster (3 brokers on loopback), and, when EO_KAFKA_BOOTSTRAP names
// one (tests/support/kafka/run_with_kafka.py starts it), a real Apache Kafka broker.
#pragma once

#include "common/bus/bus.h"
#include "common/bus/factory.h"
#include "tests/support/process.h"

#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

struct rd_kafka_s;
struct rd_kafka_mock_cluster_s;

namespace eo::bus::test {

class Backend {
 public:
  virtual ~Backend() = default;
  virtual bool is_kafka() const = 0;
  // A configuration for one process role; the same client_id means the same spool.
  virtual BusConfig config(const std::string& client_id = "producer") const = 0;
  // Kafka: creates the topic with `partitions` partitions (3 replicas). Embedded: nothing.
  virtual void create_topic(const std::string& topic, int partitions) = 0;
  // The topic or group name a test uses for `base`: a real broker outlives one test, so its
  // backend makes each test's names its own; the others are new for every test anyway.
  virtual std::string name(const std::string& base) const { return base; }
};

class LocalBackend final : public Backend {
 public:
  bool is_kafka() const override { return false; }
  BusConfig config(const std::string& client_id) const override;
  void create_topic(const std::string&, int) override {}
  const std::string& dir() const { return dir_.path(); }

 private:
  eo::test::TempDir dir_;
};

class MockKafkaBackend final : public Backend {
 public:
  static constexpr int kBrokers = 3;
  MockKafkaBackend();
  ~MockKafkaBackend() override;
  bool is_kafka() const override { return true; }
  BusConfig config(const std::string& client_id) const override;
  void create_topic(const std::string& topic, int partitions) override;
  void set_all_brokers_down();
  void set_all_brokers_up();
  rd_kafka_mock_cluster_s* cluster() const { return cluster_; }

 private:
  eo::test::TempDir dir_;
  rd_kafka_s* handle_ = nullptr;  // the dedicated handle that owns the mock cluster
  rd_kafka_mock_cluster_s* cluster_ = nullptr;
  std::string bootstraps_;
};

// A running broker named by EO_KAFKA_BOOTSTRAP ("host:port,..."); topics get one replica per
// broker up to 3.
class RealKafkaBackend final : public Backend {
 public:
  static constexpr char kEnv[] = "EO_KAFKA_BOOTSTRAP";
  RealKafkaBackend();
  bool is_kafka() const override { return true; }
  BusConfig config(const std::string& client_id) const override;
  void create_topic(const std::string& topic, int partitions) override;
  std::string name(const std::string& base) const override { return base + "." + suffix_; }

 private:
  eo::test::TempDir dir_;
  std::string bootstraps_;
  std::string suffix_;  // unique per backend instance, so per test
};

// "embedded", "kafka" (the mock cluster) or "kafka_real".
std::unique_ptr<Backend> make_backend(const std::string& name);

// The backends present here: "embedded" and "kafka", plus "kafka_real" when EO_KAFKA_BOOTSTRAP is
// set (so ctest's test discovery, run without it, does not list the real broker's cases).
std::vector<std::string> available_backends();

// "<key>:<sequence>" values let the tests check order per key and count distinct records.
std::string make_value(const std::string& key, int sequence);
int sequence_of(const std::string& value);

// Polls until `done` says enough or `timeout` passes; returns everything received.
std::vector<Message> consume_until(Consumer& consumer, std::chrono::milliseconds timeout,
                                   const std::function<bool(const std::vector<Message>&)>& done,
                                   bool commit_each_batch = false);

// Distinct sequence numbers among `messages`.
std::set<int> distinct_sequences(const std::vector<Message>& messages);

// Per key, the first occurrences of its sequence numbers are increasing (duplicates from
// redelivery allowed). Returns an explanation of the first violation, or "".
std::string check_first_occurrence_order(const std::vector<Message>& messages);

}  // namespace eo::bus::test
