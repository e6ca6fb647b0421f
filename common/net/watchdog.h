// One timer per execution context bounds the waits of all its connections. Arming and cancelling
// a timer per wait (twice per request, each cancel a posted handler) cost more than the rest of a
// request's user time; here a wait links itself into a deadline-ordered list, the timer is moved
// only when the earliest deadline moves earlier, and it is cancelled when no wait is left, so an
// io_context with nothing else to do still runs out of work.
#pragma once

#include <utility>  // Boost 1.74's asio headers need std::exchange declared first.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <mutex>
#include <optional>

namespace eo::net {

class Watchdog : public boost::asio::execution_context::service {
 public:
  using Clock = std::chrono::steady_clock;

  // One bounded wait; owned by its connection, linked while the wait runs.
  struct Wait {
    void (*expire)(void* owner) = nullptr;  // called once when the deadline passes first
    void* owner = nullptr;
    Clock::time_point deadline;
    Wait* prev = nullptr;
    Wait* next = nullptr;
    bool linked = false;
  };

  static boost::asio::execution_context::id id;

  explicit Watchdog(boost::asio::execution_context& context);

  // The watchdog of the executor's context (created on first use).
  static Watchdog& of(const boost::asio::any_io_executor& executor);

  void start(Wait& wait, Clock::time_point deadline);
  // Unlinks the wait; a no-op when it is not linked (never started, finished, or expired).
  void finish(Wait& wait);

 private:
  void shutdown() override;
  void arm(Clock::time_point at);
  void on_timer();

  std::mutex mutex_;
  std::optional<boost::asio::steady_timer> timer_;
  Clock::time_point armed_at_ = Clock::time_point::max();  // max: no wait pending on the timer
  Wait* head_ = nullptr;                                   // earliest deadline first
  Wait* tail_ = nullptr;
};

}  // namespace eo::net
