// Segment files of one log directory ("<base offset, 20 digits>.log") and a buffered cursor that
// reads one segment record by record, tolerating a tail that is still being written.
#pragma once

#include "common/bus/bus.h"
#include "common/bus/local_log/record.h"

#include <cstdint>
#include <string>
#include <vector>

namespace eo::bus::local_log {

// "<dir>/00000000000000001234.log".
std::string segment_path(const std::string& dir, std::int64_t base);

// Base offsets of the segments in `dir`, ascending (empty when none or no directory).
std::vector<std::int64_t> list_segments(const std::string& dir);

bool file_exists(const std::string& path);

enum class Step {
  record,   // one record returned
  end,      // no more bytes now, and the bytes read so far ended on a record boundary
  partial,  // the file ends inside a frame (torn, or still being written)
  corrupt,  // a frame that is whole or impossible fails its checks; see last_frame_bytes()
};

class SegmentCursor {
 public:
  SegmentCursor() = default;
  SegmentCursor(const SegmentCursor&) = delete;
  SegmentCursor& operator=(const SegmentCursor&) = delete;
  ~SegmentCursor();

  // Opens the segment for reading from its start.
  Status open(const std::string& dir, std::int64_t base);
  void close();
  bool is_open() const { return fd_ >= 0; }

  // Reads the next record; on anything but Step::record the position stays before the bad or
  // missing frame, so calling again later picks up bytes appended meanwhile. io errors come back
  // as Step::corrupt with `status` set.
  Step next(Record& out, Status& status);

  std::int64_t base() const { return base_; }
  std::int64_t next_offset() const { return next_offset_; }           // offset of the next record
  std::uint64_t position() const { return buffer_start_ + parsed_; }  // its byte position
  // After Step::corrupt: the frame size its header claims, 0 when the length itself is bad.
  std::size_t last_frame_bytes() const { return last_frame_bytes_; }
  const char* last_reason() const { return last_reason_; }
  const std::string& path() const { return path_; }
  // The current size of the file (fstat), or 0 on error.
  std::uint64_t file_size() const;

 private:
  // Reads more bytes after the buffer; false at the end of the file (or on error, in `status`).
  bool fill(std::size_t at_least, Status& status);

  int fd_ = -1;
  std::string path_;
  std::int64_t base_ = 0;
  std::int64_t next_offset_ = 0;
  std::string buffer_;  // file bytes [buffer_start_, buffer_start_ + buffer_.size())
  std::uint64_t buffer_start_ = 0;
  std::size_t parsed_ = 0;  // bytes of buffer_ already returned as records
  std::size_t last_frame_bytes_ = 0;
  const char* last_reason_ = "";
};

}  // namespace eo::bus::local_log
