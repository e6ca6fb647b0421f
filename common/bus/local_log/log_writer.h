// The single appender of one log directory: takes its writer lock, recovers a torn tail on open,
// appends framed records, rolls segments and fsyncs within the configured bounds.
#pragma once

#include "common/bus/bus.h"
#include "common/bus/local_log/files.h"
#include "common/bus/options.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace eo::bus::local_log {

// What open() had to repair in the last segment.
struct Recovery {
  std::uint64_t truncated_bytes = 0;  // cut off the end of the last segment (torn or corrupt)
  std::string saved_to;               // where the cut bytes were kept for inspection, if any
  std::string reason;                 // "partial record" or the decode failure
};

// Guarantees:
//  - append() returns ok only after the whole frame is in the OS (write(2) done), so the record
//    survives the death of this process; it is on disk after sync(), or at most
//    sync_every_records records / sync_interval later (sync_if_due() is called by the owner);
//  - a failed append leaves the log as it was (the partial frame is cut back);
//  - records before a crash are never damaged by recovery: only the tail after the last valid
//    record of the last segment is cut (and kept beside it in "<segment>.cut-<byte>").
// Thread-safe.
class LogWriter {
 public:
  // Opens `dir` (created if missing). unavailable when another writer holds dir/writer.lock.
  static Status open(const std::string& dir, const LocalLogOptions& options,
                     std::unique_ptr<LogWriter>& out);
  ~LogWriter();
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;

  // Appends one record; `offset` (if given) receives its offset.
  Status append(std::string_view key, std::string_view value, std::int64_t timestamp_us,
                std::int64_t* offset = nullptr);
  // Appends records[i].key/value (topics are ignored: the caller routes) with one write(2) per
  // segment touched, all stamped `timestamp_us`. `appended` receives how many were appended,
  // a prefix of `records`; a non-ok status is about record `appended`, and those after it were
  // not tried. The same guarantees as append() hold for each appended record.
  Status append_batch(std::span<const OutgoingRecord> records, std::int64_t timestamp_us,
                      std::size_t& appended);
  Status sync();         // fsync now if anything is unsynced
  Status sync_if_due();  // fsync if the oldest unsynced record is older than sync_interval

  std::int64_t next_offset() const;   // offset the next append gets (= records ever written)
  std::int64_t start_offset() const;  // first offset still on disk
  // Deletes whole segments that end at or before `offset` (never the active one).
  Status remove_segments_below(std::int64_t offset);

  const Recovery& recovery() const { return recovery_; }
  const std::string& dir() const { return dir_; }

 private:
  LogWriter(std::string dir, const LocalLogOptions& options);
  Status recover();
  Status open_active(bool create);
  Status roll();
  Status sync_locked();
  // Writes frame_ (`records` whole frames) at the end of the active segment and counts them.
  Status write_frames_locked(std::size_t records);

  const std::string dir_;
  const LocalLogOptions options_;
  FileLock lock_;
  Recovery recovery_;
  mutable std::mutex mutex_;
  std::vector<std::int64_t> segments_;  // bases, ascending; the last one is active
  int fd_ = -1;                         // active segment, O_APPEND
  std::uint64_t active_bytes_ = 0;
  std::int64_t next_offset_ = 0;
  std::uint32_t unsynced_records_ = 0;
  std::chrono::steady_clock::time_point first_unsynced_{};
  std::string frame_;  // reused encode buffer
};

}  // namespace eo::bus::local_log
