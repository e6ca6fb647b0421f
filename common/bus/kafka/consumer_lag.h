// Consumer lag from librdkafka's statistics JSON (statistics.interval.ms): per topic and
// partition, the records between the group's committed offset and the partition's end.
#pragma once

#include "common/bus/bus.h"

#include <string_view>

namespace eo::bus::kafka {

// The partitions with a known lag (librdkafka reports -1 before the first fetch or commit, and
// a pseudo-partition -1 per topic; both are left out). Malformed JSON gives an empty map.
PartitionLag parse_consumer_lag(std::string_view statistics_json);

}  // namespace eo::bus::kafka
