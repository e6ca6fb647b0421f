#include "common/bus/kafka/consumer_lag.h"

#include <nlohmann/json.hpp>

#include <string>

namespace eo::bus::kafka {

namespace {

std::int64_t integer(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_number_integer() ? it->get<std::int64_t>() : -1;
}

}  // namespace

PartitionLag parse_consumer_lag(std::string_view statistics_json) {
  PartitionLag lag;
  auto stats = nlohmann::json::parse(statistics_json, nullptr, /*allow_exceptions=*/false);
  if (!stats.is_object() || !stats.contains("topics") || !stats["topics"].is_object()) return lag;
  for (const auto& [topic, entry] : stats["topics"].items()) {
    auto partitions = entry.is_object() ? entry.find("partitions") : entry.end();
    if (!entry.is_object() || partitions == entry.end() || !partitions->is_object()) continue;
    for (const auto& [id, partition] : partitions->items()) {
      if (!partition.is_object()) continue;
      std::int64_t number = integer(partition, "partition");
      std::int64_t behind = integer(partition, "consumer_lag");
      if (number < 0 || behind < 0) continue;
      lag[{topic, static_cast<int>(number)}] = behind;
    }
  }
  return lag;
}

}  // namespace eo::bus::kafka
