// Completion handlers for spawned coroutines, so that none dies in silence. A coroutine whose
// failure ends only its own work (one connection, one task) gets log_exit; a loop the process
// cannot do without (heartbeats, accept loops) gets spawn_restarting, which logs the failure by
// name and starts the loop again after a pause.
#pragma once

#include "common/telemetry/log.h"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <exception>
#include <functional>
#include <string>
#include <utility>

namespace eo::async {

// What ended a coroutine, for a log line ("" when it returned normally).
inline std::string describe(const std::exception_ptr& error) {
  if (!error) return {};
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown exception";
  }
}

// Logs an exception that ended coroutine `name`; nothing when it returned.
inline auto log_exit(std::string name) {
  return [name = std::move(name)](std::exception_ptr error) {
    if (!error) return;
    telemetry::log(telemetry::LogLevel::error, "coroutine failed",
                   {{"coroutine", name}, {"error", describe(error)}});
  };
}

namespace detail {

// A free coroutine, not a lambda: its arguments live in its frame.
template <class Executor, class Make>
boost::asio::awaitable<void> after(Executor executor, std::chrono::milliseconds delay, Make make) {
  if (delay.count() > 0) {
    boost::asio::steady_timer timer(executor, delay);
    co_await timer.async_wait(boost::asio::use_awaitable);
  }
  co_await make();
}

template <class Executor, class Make>
void spawn_supervised(Executor executor, std::string name, Make make,
                      std::chrono::milliseconds delay, std::chrono::milliseconds pause,
                      std::function<bool()> keep_going) {
  boost::asio::co_spawn(executor, after(executor, delay, make),
                        [executor, name = std::move(name), make, pause,
                         keep_going = std::move(keep_going)](std::exception_ptr error) mutable {
                          if (!error) return;
                          const bool restart = keep_going();
                          telemetry::log(
                              telemetry::LogLevel::error,
                              restart ? "coroutine failed; restarting it" : "coroutine failed",
                              {{"coroutine", name},
                               {"error", describe(error)},
                               {"restart_after_ms", restart ? pause.count() : 0}});
                          if (restart) {
                            spawn_supervised(executor, std::move(name), std::move(make), pause,
                                             pause, std::move(keep_going));
                          }
                        });
}

}  // namespace detail

// Runs make() on `executor`. If it ends by an exception, logs it by name and, while keep_going()
// holds, runs a fresh make() after `pause` (a loop failing at once every time then costs one log
// line per pause, not a spinning core). A normal return ends it.
template <class Executor, class Make>
void spawn_restarting(Executor executor, std::string name, Make make,
                      std::chrono::milliseconds pause, std::function<bool()> keep_going) {
  detail::spawn_supervised(std::move(executor), std::move(name), std::move(make),
                           std::chrono::milliseconds(0), pause, std::move(keep_going));
}

}  // namespace eo::async
