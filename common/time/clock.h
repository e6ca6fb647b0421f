// The one source of time for decisions that depend on it (round starts, lease grant and expiry,
// politeness spacing and back-off): injected, so tests run them on exact schedules with
// ManualClock instead of waiting out wall time. Real waits (timers, condition variables) stay on
// the system's clocks; only what they decide reads this one.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace eo::time {

using TimeMs = std::int64_t;  // ms since the Unix epoch

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall time: what is stored and compared across processes (rounds, leases).
  virtual TimeMs now() const = 0;
  // Monotonic time from an arbitrary origin: spacing within one process, immune to wall-clock
  // steps (NTP) that would otherwise hold a target for an hour or release it early.
  virtual std::chrono::microseconds elapsed() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimeMs now() const override;
  std::chrono::microseconds elapsed() const override;
};

// The process's system clock: the default wherever a clock is injected.
const Clock& system_clock();

// A clock that moves only when told to; now() and elapsed() move together. Other threads may read
// it while the test moves it (one test thread moves it).
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimeMs start) : start_(start) {}

  TimeMs now() const override { return start_ + elapsed_us_.load() / 1000; }
  std::chrono::microseconds elapsed() const override {
    return std::chrono::microseconds(elapsed_us_.load());
  }
  void advance(std::chrono::microseconds by);
  // Moves to the start of millisecond `to`; never backwards (a monotonic reading cannot go back).
  void set(TimeMs to);

 private:
  const TimeMs start_;
  std::atomic<std::int64_t> elapsed_us_{0};  // one counter: the two readings never disagree
};

}  // namespace eo::time
