// Turns configuration into a bus implementation: the embedded durable log when no Kafka brokers
// are given, Kafka (with a local durable spool) otherwise. The code above the seam is the same.
#pragma once

#include "common/bus/bus.h"
#include "common/bus/options.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace eo::bus {

struct BusConfig {
  std::string kafka_brokers;  // "host:port,host:port"; empty = the embedded log
  std::string log_dir;        // the embedded log's directory; with Kafka, holds the spool
  std::string client_id;      // Kafka client.id; names the producer's spool (log_dir/spool/<id>)
  std::map<std::string, std::string> kafka_overrides;  // librdkafka properties, applied last
  LocalLogOptions local_log;
};

// Throws std::invalid_argument naming the setting when the configuration is wrong, and
// std::runtime_error when the environment refuses (spool locked by another live process, a
// directory that cannot be created).
std::unique_ptr<Producer> make_producer(const BusConfig& config);

// A member of consumer group `group_id` reading `topics`. Throws like make_producer.
std::unique_ptr<Consumer> make_consumer(const BusConfig& config, const std::string& group_id,
                                        const std::vector<std::string>& topics);

}  // namespace eo::bus
