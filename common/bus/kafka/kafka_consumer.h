// The Kafka Consumer: librdkafka's high-level consumer in a group, with no automatic commits;
// commit() stores the given offsets synchronously.
#pragma once

#include "common/bus/bus.h"
#include "common/bus/factory.h"
#include "common/bus/kafka/kafka_config.h"

#include <string>
#include <vector>

namespace eo::bus::kafka {

// Guarantees (on top of bus::Consumer's): a new group starts at the earliest offset; partitions
// are (re)assigned by the group coordinator and, after any assignment, fetching starts at the
// group's committed offset. Broker outages are waited out (poll returns nothing meanwhile);
// poll() reports Code::fatal when librdkafka raised a fatal error, and Code::unavailable naming
// the setting when the brokers refuse this client's credentials or certificate trust.
class KafkaConsumer final : public Consumer {
 public:
  // Throws std::invalid_argument when librdkafka refuses the configuration or the subscription.
  KafkaConsumer(const BusConfig& config, const std::string& group_id,
                const std::vector<std::string>& topics);
  // Leaves the group (so the others get its partitions at once), then closes.
  ~KafkaConsumer() override;

  PollResult poll(std::size_t max_messages, std::chrono::milliseconds timeout) override;
  Status commit(std::span<const Message> messages) override;
  ReadPosition read_position(std::chrono::milliseconds timeout) override;
  PartitionLag lag() const override { return lag_; }

 private:
  static void on_error(rd_kafka_t* rk, int err, const char* reason, void* opaque);
  static int on_statistics(rd_kafka_t* rk, char* json, size_t json_len, void* opaque);

  HandlePtr rk_;
  std::string client_error_;  // set by on_error inside rd_kafka_consumer_poll, taken by poll()
  PartitionLag lag_;          // set by on_statistics, also inside rd_kafka_consumer_poll
};

}  // namespace eo::bus::kafka
