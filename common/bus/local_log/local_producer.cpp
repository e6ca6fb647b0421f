// Embedded producer. The background thread exists only to bound how long a record may sit
// unsynced when publishing pauses; while publishing, LogWriter syncs every N records itself.
#include "common/bus/local_log/local_producer.h"

#include <chrono>
#include <vector>

namespace eo::bus::local_log {
namespace {

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

LocalProducer::LocalProducer(std::string log_dir, const LocalLogOptions& options)
    : log_dir_(std::move(log_dir)), options_(options), syncer_([this] { sync_loop(); }) {}

LocalProducer::~LocalProducer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  syncer_.join();
  // Each LogWriter fsyncs and releases its lock when the map goes.
}

Status LocalProducer::writer_for(std::string_view topic, std::shared_ptr<LogWriter>& out) {
  std::lock_guard lock(mutex_);
  if (auto it = writers_.find(topic); it != writers_.end()) {
    out = it->second;
    return Status::success();
  }
  std::unique_ptr<LogWriter> writer;
  std::string dir = log_dir_ + "/" + std::string(topic);
  if (Status s = LogWriter::open(dir, options_, writer); !s.ok()) return s;
  out = std::shared_ptr<LogWriter>(std::move(writer));
  writers_.emplace(std::string(topic), out);
  return Status::success();
}

Status LocalProducer::publish(std::string_view topic, std::string_view key,
                              std::string_view value) {
  if (Status s = check_record(topic, key, value); !s.ok()) return s;
  std::shared_ptr<LogWriter> writer;
  Status status = writer_for(topic, writer);
  if (status.ok()) status = writer->append(key, value, now_us());
  if (status.ok()) published_.fetch_add(1, std::memory_order_relaxed);
  return status;
}

BatchResult LocalProducer::publish_batch(std::span<const OutgoingRecord> records) {
  BatchResult result;
  const std::int64_t timestamp_us = now_us();
  while (result.accepted < records.size()) {
    // The longest run of valid records for one topic, from the first not yet accepted.
    const std::size_t first = result.accepted;
    const std::string_view topic = records[first].topic;
    std::size_t end = first;
    Status refused;
    for (; end < records.size() && records[end].topic == topic; ++end) {
      refused = check_record(topic, records[end].key, records[end].value);
      if (!refused.ok()) break;
    }
    if (end > first) {
      std::shared_ptr<LogWriter> writer;
      std::size_t appended = 0;
      Status status = writer_for(topic, writer);
      if (status.ok()) {
        status = writer->append_batch(records.subspan(first, end - first), timestamp_us, appended);
      }
      result.accepted += appended;
      published_.fetch_add(appended, std::memory_order_relaxed);
      if (!status.ok()) {
        result.status = std::move(status);
        return result;
      }
    }
    if (!refused.ok()) {
      result.status = std::move(refused);
      return result;
    }
  }
  return result;
}

Status LocalProducer::flush(std::chrono::milliseconds) {
  std::vector<std::shared_ptr<LogWriter>> writers;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [topic, writer] : writers_) writers.push_back(writer);
  }
  for (const auto& writer : writers) {
    if (Status s = writer->sync(); !s.ok()) return s;
  }
  return Status::success();
}

ProducerStats LocalProducer::stats() const {
  ProducerStats stats;
  stats.published = published_.load(std::memory_order_relaxed);
  stats.delivered = stats.published;
  stats.delivery_errors = errors_.load(std::memory_order_relaxed);
  return stats;
}

void LocalProducer::sync_loop() {
  auto period = std::max(options_.sync_interval / 2, std::chrono::milliseconds(1));
  std::unique_lock lock(mutex_);
  while (!stop_cv_.wait_for(lock, period, [this] { return stopping_; })) {
    std::vector<std::shared_ptr<LogWriter>> writers;
    for (const auto& [topic, writer] : writers_) writers.push_back(writer);
    lock.unlock();
    for (const auto& writer : writers) {
      if (!writer->sync_if_due().ok()) errors_.fetch_add(1, std::memory_order_relaxed);
    }
    lock.lock();
  }
}

}  // namespace eo::bus::local_log
