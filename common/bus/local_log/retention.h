// Time-based retention for a topic of the embedded log: whole sealed segments go once their
// newest record is older than a cutoff. Kafka's equivalent is the topic's retention.ms.
#pragma once

#include "common/bus/bus.h"

#include <cstdint>
#include <string>

namespace eo::bus::local_log {

struct RetentionResult {
  Status status;  // io_error / corrupt naming the file; what was deleted stays so
  std::size_t deleted_segments = 0;
  std::uint64_t deleted_bytes = 0;
  std::int64_t first_offset = 0;  // the oldest offset left (0 when the topic is empty)
};

// Deletes, oldest first, the segments of `topic_dir` whose records all have timestamp_us <
// `cutoff_unix_us`, and stops at the first that has a newer record (or one it cannot read), so
// the offsets left stay contiguous. Never deletes the last segment: the writer appends there,
// and readers find the topic's end by it. Safe beside a writer and readers in any process:
// segments before the last are never written again, a reader with one open keeps reading it,
// and a reader that seeks below the oldest segment starts at it.
RetentionResult delete_segments_older_than(const std::string& topic_dir,
                                           std::int64_t cutoff_unix_us);

}  // namespace eo::bus::local_log
