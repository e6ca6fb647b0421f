// An EventSink that keeps events in memory (bounded), for tests and for a local look at a session.
#include "honeypot/server/memory_event_sink.h"

#include <utility>

namespace eo::honeypot::server {

void MemoryEventSink::record(eo::v1::HoneypotEvent event) {
  {
    std::lock_guard lock(mutex_);
    if (events_.size() >= max_events_) {
      ++dropped_;
      return;
    }
    events_.push_back(std::move(event));
  }
  changed_.notify_all();
}

MemoryEventSink::Events MemoryEventSink::events() const {
  std::lock_guard lock(mutex_);
  return events_;
}

MemoryEventSink::Events MemoryEventSink::events_of(eo::v1::HoneypotEventKind kind) const {
  std::lock_guard lock(mutex_);
  Events out;
  for (const auto& e : events_) {
    if (e.kind() == kind) out.push_back(e);
  }
  return out;
}

std::size_t MemoryEventSink::size() const {
  std::lock_guard lock(mutex_);
  return events_.size();
}

std::uint64_t MemoryEventSink::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

void MemoryEventSink::clear() {
  std::lock_guard lock(mutex_);
  events_.clear();
  dropped_ = 0;
}

bool MemoryEventSink::wait_for(const std::function<bool(const Events&)>& done,
                               std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return done(events_); });
}

}  // namespace eo::honeypot::server
