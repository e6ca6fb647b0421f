// The bus factory: validates the configuration once, here, so each implementation can assume it.
#include "common/bus/factory.h"

#include "common/bus/kafka/kafka_consumer.h"
#include "common/bus/kafka/kafka_producer.h"
#include "common/bus/local_log/files.h"
#include "common/bus/local_log/local_consumer.h"
#include "common/bus/local_log/local_producer.h"
#include "common/bus/names.h"

#include <stdexcept>

namespace eo::bus {
namespace {

void check_common(const BusConfig& config) {
  if (!config.client_id.empty() && !valid_name(config.client_id)) {
    throw std::invalid_argument("client_id: '" + config.client_id +
                                "' must be 1-249 characters of [A-Za-z0-9._-]");
  }
  if (config.local_log.segment_bytes < 4096) {
    throw std::invalid_argument("local_log.segment_bytes: must be at least 4096");
  }
  if (config.local_log.sync_every_records < 1) {
    throw std::invalid_argument("local_log.sync_every_records: must be at least 1");
  }
  if (config.local_log.sync_interval.count() < 1) {
    throw std::invalid_argument("local_log.sync_interval: must be at least 1 ms");
  }
  if (config.kafka_brokers.empty() && !config.kafka_overrides.empty()) {
    throw std::invalid_argument("kafka_overrides: given without kafka_brokers");
  }
}

void require_log_dir(const BusConfig& config, const char* why) {
  if (config.log_dir.empty()) throw std::invalid_argument(std::string("log_dir: ") + why);
  if (Status s = local_log::make_dirs(config.log_dir); !s.ok()) {
    throw std::runtime_error("log_dir: " + s.detail);
  }
}

}  // namespace

std::unique_ptr<Producer> make_producer(const BusConfig& config) {
  check_common(config);
  if (config.kafka_brokers.empty()) {
    require_log_dir(config, "required by the embedded bus (no kafka_brokers given)");
    return std::make_unique<local_log::LocalProducer>(config.log_dir, config.local_log);
  }
  require_log_dir(config, "required for the Kafka producer's spool");
  return std::make_unique<kafka::KafkaProducer>(config);
}

std::unique_ptr<Consumer> make_consumer(const BusConfig& config, const std::string& group_id,
                                        const std::vector<std::string>& topics) {
  check_common(config);
  if (!valid_name(group_id)) {
    throw std::invalid_argument("group_id: '" + group_id +
                                "' must be 1-249 characters of [A-Za-z0-9._-]");
  }
  if (topics.empty()) throw std::invalid_argument("topics: at least one is required");
  for (const auto& topic : topics) {
    if (!valid_name(topic)) {
      throw std::invalid_argument("topics: '" + topic +
                                  "' must be 1-249 characters of [A-Za-z0-9._-]");
    }
  }
  if (config.kafka_brokers.empty()) {
    require_log_dir(config, "required by the embedded bus (no kafka_brokers given)");
    return std::make_unique<local_log::LocalConsumer>(config.log_dir, group_id, topics);
  }
  return std::make_unique<kafka::KafkaConsumer>(config, group_id, topics);
}

}  // namespace eo::bus
