// An EventSink that keeps events in memory (bounded), for tests and for a local look at a session.
#pragma once

#include "honeypot/server/event_sink.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

namespace eo::honeypot::server {

// Thread-safe: the server records on its thread while a test reads on another.
class MemoryEventSink final : public EventSink {
 public:
  using Events = std::vector<eo::v1::HoneypotEvent>;

  explicit MemoryEventSink(std::size_t max_events = 1'000'000) : max_events_(max_events) {}

  // Keeps the event unless max_events are held already (then counts it as dropped).
  void record(eo::v1::HoneypotEvent event) override;

  Events events() const;
  Events events_of(eo::v1::HoneypotEventKind kind) const;
  std::size_t size() const;
  std::uint64_t dropped() const;
  void clear();

  // Blocks until `done(events)` holds or `timeout` passes; returns done's last answer.
  bool wait_for(const std::function<bool(const Events&)>& done,
                std::chrono::milliseconds timeout) const;

 private:
  std::size_t max_events_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  Events events_;
  std::uint64_t dropped_ = 0;
};

}  // namespace eo::honeypot::server
