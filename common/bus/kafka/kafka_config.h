// librdkafka configuration from a BusConfig: the settings the bus guarantees rest on, then the
// user's overrides (refusing those that would break the guarantees).
#pragma once

#include "common/bus/factory.h"

#include <librdkafka/rdkafka.h>

#include <map>
#include <memory>
#include <string>

namespace eo::bus::kafka {

struct ConfDeleter {
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
};
using ConfPtr = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;

struct HandleDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using HandlePtr = std::unique_ptr<rd_kafka_t, HandleDeleter>;

enum class Role { producer, consumer };

// Defaults for the role, then `fixed` (role settings that callers must not change, such as
// group.id), then config.kafka_overrides. Throws std::invalid_argument naming the property when
// librdkafka rejects one, or when an override touches a property the guarantees depend on.
ConfPtr make_conf(const BusConfig& config, Role role,
                  const std::map<std::string, std::string>& fixed);

// rd_kafka_new with a copy of `conf`; throws std::invalid_argument with librdkafka's reason.
HandlePtr make_handle(rd_kafka_type_t type, const rd_kafka_conf_t* conf);

}  // namespace eo::bus::kafka
