// The Kafka producer's write-ahead spool: every published record is appended to a local log
// before it goes to librdkafka, and the low watermark of broker-acknowledged records is stored
// beside it, so a restarted producer replays exactly what may not have arrived.
#pragma once

#include "common/bus/bus.h"
#include "common/bus/local_log/log_reader.h"
#include "common/bus/local_log/log_writer.h"
#include "common/bus/options.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace eo::bus::kafka {

struct SpoolRecord {
  std::int64_t offset = 0;
  std::int64_t timestamp_us = 0;
  std::string topic;
  std::string key;
  std::string value;
};

// A local log (local_log/README.md) whose record value is [u8 topic length][topic][value], and
// the file "acked.offset" (atomically replaced). Guarantees: append() is as durable as
// LogWriter::append; store_acked() persists the watermark before deleting any segment below it.
// One live Spool per directory (LogWriter's lock). append/sync/store_acked are thread-safe;
// seek/read belong to one thread (the producer's pump).
class Spool {
 public:
  // unavailable when another live producer uses `dir`.
  static Status open(const std::string& dir, const LocalLogOptions& options,
                     std::unique_ptr<Spool>& out);

  Status append(std::string_view topic, std::string_view key, std::string_view value,
                std::int64_t timestamp_us);
  Status sync() { return writer_->sync(); }
  Status sync_if_due() { return writer_->sync_if_due(); }
  std::int64_t end() const { return writer_->next_offset(); }

  // The stored watermark: every record below it was acknowledged by the broker.
  std::int64_t acked() const;
  // Stores a higher watermark (lower ones are ignored) and deletes segments wholly below it.
  Status store_acked(std::int64_t offset);

  Status seek(std::int64_t offset) { return reader_->seek(offset); }
  Status read(std::size_t max, std::vector<SpoolRecord>& out);

  const local_log::Recovery& recovery() const { return writer_->recovery(); }

 private:
  Spool() = default;

  std::string dir_;
  std::unique_ptr<local_log::LogWriter> writer_;
  std::unique_ptr<local_log::LogReader> reader_;
  mutable std::mutex acked_mutex_;
  std::int64_t acked_ = 0;
  std::vector<local_log::Record> scratch_;
};

}  // namespace eo::bus::kafka
