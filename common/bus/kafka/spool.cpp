// The spool: a local log plus a watermark file. The topic travels inside the value so one log
// keeps the global publish order across topics, and one watermark covers them all.
#include "common/bus/kafka/spool.h"

#include "common/bus/local_log/files.h"

#include <algorithm>

namespace eo::bus::kafka {
namespace {

std::string watermark_path(const std::string& dir) { return dir + "/acked.offset"; }

}  // namespace

Status Spool::open(const std::string& dir, const LocalLogOptions& options,
                   std::unique_ptr<Spool>& out) {
  std::unique_ptr<Spool> spool(new Spool());
  spool->dir_ = dir;
  if (Status s = local_log::LogWriter::open(dir, options, spool->writer_); !s.ok()) return s;
  std::int64_t start = spool->writer_->start_offset();
  std::int64_t stored = local_log::read_offset_file(watermark_path(dir)).value_or(start);
  // Clamp: the watermark cannot lie before what is kept, nor after what is written (a machine
  // crash can lose an unsynced tail whose acknowledgement was stored).
  spool->acked_ = std::clamp(stored, start, spool->writer_->next_offset());
  if (spool->acked_ != stored) {
    // Store the clamped value now, before new appends reuse offsets the old value covered.
    if (Status s = local_log::write_offset_file(watermark_path(dir), spool->acked_); !s.ok()) {
      return s;
    }
  }
  spool->reader_ = std::make_unique<local_log::LogReader>(dir);
  if (Status s = spool->reader_->seek(spool->acked_); !s.ok()) return s;
  out = std::move(spool);
  return Status::success();
}

Status Spool::append(std::string_view topic, std::string_view key, std::string_view value,
                     std::int64_t timestamp_us) {
  std::string framed;
  framed.reserve(1 + topic.size() + value.size());
  framed.push_back(static_cast<char>(topic.size()));  // topics are at most 249 bytes
  framed.append(topic);
  framed.append(value);
  return writer_->append(key, framed, timestamp_us);
}

std::int64_t Spool::acked() const {
  std::lock_guard lock(acked_mutex_);
  return acked_;
}

Status Spool::store_acked(std::int64_t offset) {
  std::lock_guard lock(acked_mutex_);
  if (offset <= acked_) return Status::success();
  if (Status s = local_log::write_offset_file(watermark_path(dir_), offset); !s.ok()) return s;
  acked_ = offset;
  return writer_->remove_segments_below(offset);
}

Status Spool::read(std::size_t max, std::vector<SpoolRecord>& out) {
  scratch_.clear();
  Status status = reader_->read(max, scratch_);
  for (auto& record : scratch_) {
    std::size_t topic_length =
        record.value.empty() ? 0 : static_cast<unsigned char>(record.value[0]);
    if (topic_length == 0 || 1 + topic_length > record.value.size()) {
      return {Code::corrupt, "spool record " + std::to_string(record.offset) + " in " + dir_ +
                                 " has no valid topic"};
    }
    SpoolRecord r;
    r.offset = record.offset;
    r.timestamp_us = record.timestamp_us;
    r.topic = record.value.substr(1, topic_length);
    r.value = record.value.substr(1 + topic_length);
    r.key = std::move(record.key);
    out.push_back(std::move(r));
  }
  return status;
}

}  // namespace eo::bus::kafka
