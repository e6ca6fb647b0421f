// Retention of the honeypot's events in the embedded log: whole segments of honeypot.events.v1
// whose newest record is older than the window go, at start and then once a day, on a thread of
// their own (a scan reads old segments; the server's thread must not wait for the disk).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace eo::honeypot::app {

class EventRetention {
 public:
  // Starts pruning `topic_dir` (a topic directory of the embedded log) at once and then every
  // `interval`, deleting segments older than `max_age`.
  EventRetention(std::string topic_dir, std::chrono::hours max_age,
                 std::chrono::milliseconds interval = std::chrono::hours(24));
  ~EventRetention();  // stops the thread (an ongoing pass finishes first)
  EventRetention(const EventRetention&) = delete;
  EventRetention& operator=(const EventRetention&) = delete;

  // One pass now, on the caller's thread; returns the segments deleted.
  std::size_t prune_once();

 private:
  void loop();

  std::string topic_dir_;
  std::chrono::hours max_age_;
  std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace eo::honeypot::app
