// Reads one log directory from a given offset while a writer (in this or another process) may be
// appending to it: stops at a partially written tail and picks it up on a later read.
#pragma once

#include "common/bus/bus.h"
#include "common/bus/local_log/record.h"
#include "common/bus/local_log/segment.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace eo::bus::local_log {

// Guarantees: returns records in offset order without gaps, each one checked against its CRC.
// A frame that fails its checks at the very end of the last segment is treated as not written
// yet (the writer's recovery cuts it); anywhere else it is reported as Code::corrupt and the
// reader stays before it, never skipping data silently. Not thread-safe; no locks taken.
class LogReader {
 public:
  explicit LogReader(std::string dir);

  // Positions the reader at `offset`, clamped to [first offset on disk, end of the log].
  Status seek(std::int64_t offset);

  // Appends up to `max` records from the current position to `out`; fewer (maybe none) when the
  // end of what is written so far is reached.
  Status read(std::size_t max, std::vector<Record>& out);

  std::int64_t position() const { return position_; }

 private:
  // The cursor hit a bad or partial frame: wait (ok) or report corruption.
  Status judge_bad_frame(Step step);
  // At the clean end of a segment: moves to the next one if it exists.
  bool advance_segment(Status& status);

  std::string dir_;
  SegmentCursor cursor_;
  std::int64_t position_ = 0;
};

}  // namespace eo::bus::local_log
