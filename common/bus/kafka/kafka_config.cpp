// Kafka settings. Why each default:
//  - enable.idempotence: no duplicates or reordering from librdkafka's own retries;
//  - acks=all: a record acknowledged by the leader alone can vanish with it;
//  - partitioner=murmur2_random: same key -> same partition as Java clients and Kafka Streams;
//  - message.timeout.ms=60000: a record stuck that long makes the producer start over from the
//    spool (a fresh handle, replay from the watermark), which also clears fatal idempotence
//    states; nothing is dropped, since the spool keeps every record until it is acknowledged;
//  - consumer: no auto commit and no auto offset store (the caller commits after its results
//    are durable), earliest reset (a new group starts from the beginning, not from "now").
#include "common/bus/kafka/kafka_config.h"

#include <array>
#include <span>
#include <stdexcept>
#include <string_view>

namespace eo::bus::kafka {
namespace {

constexpr std::array<std::string_view, 6> kProducerProtected = {
    "enable.idempotence", "acks", "request.required.acks", "dr_msg_cb", "dr_cb", "opaque"};
constexpr std::array<std::string_view, 5> kConsumerProtected = {
    "enable.auto.commit", "enable.auto.offset.store", "auto.offset.reset", "group.id",
    "auto.commit.enable"};

void set(rd_kafka_conf_t* conf, const std::string& key, const std::string& value,
         const std::string& origin) {
  char errstr[512];
  if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), errstr, sizeof errstr) !=
      RD_KAFKA_CONF_OK) {
    throw std::invalid_argument(origin + ": librdkafka property '" + key + "': " + errstr);
  }
}

}  // namespace

ConfPtr make_conf(const BusConfig& config, Role role,
                  const std::map<std::string, std::string>& fixed) {
  ConfPtr conf(rd_kafka_conf_new());
  set(conf.get(), "bootstrap.servers", config.kafka_brokers, "kafka_brokers");
  if (!config.client_id.empty()) set(conf.get(), "client.id", config.client_id, "client_id");
  if (role == Role::producer) {
    set(conf.get(), "enable.idempotence", "true", "bus");
    set(conf.get(), "acks", "all", "bus");
    set(conf.get(), "partitioner", "murmur2_random", "bus");
    set(conf.get(), "message.timeout.ms", "60000", "bus");
  } else {
    set(conf.get(), "enable.auto.commit", "false", "bus");
    set(conf.get(), "enable.auto.offset.store", "false", "bus");
    set(conf.get(), "auto.offset.reset", "earliest", "bus");
    set(conf.get(), "enable.partition.eof", "false", "bus");
    set(conf.get(), "statistics.interval.ms", "5000", "bus");  // Consumer::lag()
  }
  for (const auto& [key, value] : fixed) set(conf.get(), key, value, "bus");
  for (const auto& [key, value] : config.kafka_overrides) {
    bool is_protected = false;
    for (auto p : role == Role::producer ? std::span<const std::string_view>(kProducerProtected)
                                         : std::span<const std::string_view>(kConsumerProtected)) {
      is_protected = is_protected || key == p;
    }
    if (is_protected || key == "bootstrap.servers") {
      throw std::invalid_argument("kafka_overrides: '" + key +
                                  "' is set by the bus (its delivery guarantees depend on it)");
    }
    set(conf.get(), key, value, "kafka_overrides");
  }
  return conf;
}

HandlePtr make_handle(rd_kafka_type_t type, const rd_kafka_conf_t* conf) {
  rd_kafka_conf_t* copy = rd_kafka_conf_dup(conf);
  char errstr[512];
  rd_kafka_t* rk = rd_kafka_new(type, copy, errstr, sizeof errstr);
  if (!rk) {
    rd_kafka_conf_destroy(copy);
    throw std::invalid_argument(std::string("kafka_overrides: librdkafka refused the "
                                            "configuration: ") +
                                errstr);
  }
  return HandlePtr(rk);
}

}  // namespace eo::bus::kafka
