// EventRetention: a pass of local_log's delete_segments_older_than per interval, logged.
#include "honeypot/app/event_retention.h"

#include "common/bus/local_log/retention.h"
#include "common/telemetry/log.h"

namespace eo::honeypot::app {

EventRetention::EventRetention(std::string topic_dir, std::chrono::hours max_age,
                               std::chrono::milliseconds interval)
    : topic_dir_(std::move(topic_dir)), max_age_(max_age), interval_(interval) {
  thread_ = std::thread([this] { loop(); });
}

EventRetention::~EventRetention() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

std::size_t EventRetention::prune_once() {
  const auto cutoff = std::chrono::system_clock::now() - max_age_;
  const std::int64_t cutoff_us =
      std::chrono::duration_cast<std::chrono::microseconds>(cutoff.time_since_epoch()).count();
  const auto result = bus::local_log::delete_segments_older_than(topic_dir_, cutoff_us);
  if (!result.status.ok()) {
    telemetry::log(telemetry::LogLevel::warn, "event retention stopped early",
                   {{"dir", topic_dir_}, {"error", result.status.detail}});
  }
  if (result.deleted_segments > 0) {
    telemetry::log(telemetry::LogLevel::info, "event retention deleted old segments",
                   {{"dir", topic_dir_},
                    {"segments", result.deleted_segments},
                    {"bytes", result.deleted_bytes},
                    {"first_offset", result.first_offset}});
  }
  return result.deleted_segments;
}

void EventRetention::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    prune_once();
    lock.lock();
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

}  // namespace eo::honeypot::app
