// Politeness: the caps that protect the servers we measure (DESIGN.md §6), enforced in the agent
// whatever the coordinator sends: per-target request rate and concurrency, back-off after errors,
// and the operators' opt-out list.
#pragma once

#include "common/time/clock.h"

#include <utility>  // Boost 1.74's awaitable.hpp needs std::exchange declared first.

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <deque>
#include <map>
#include <set>
#include <string>

namespace eo::agent {

struct PolitenessConfig {
  unsigned max_concurrency_per_target = 2;
  double max_requests_per_second_per_target = 5;
  std::chrono::milliseconds backoff_after_error{2000};
  std::set<std::string> opt_out_hosts;  // lower-case host names or IPs

  // One line a person reads at start-up.
  std::string describe() const;
};

// Single-threaded (one io_context): no locks. When a request may go is decided on the injected
// clock's monotonic reading (next_allowed, reserve, penalize); pace() only waits it out.
class Politeness {
 public:
  using Instant = std::chrono::microseconds;  // on the clock's elapsed() scale

  explicit Politeness(PolitenessConfig config, const time::Clock& clock = time::system_clock())
      : config_(std::move(config)), clock_(clock) {}

  bool opted_out(const std::string& host) const;
  // When the next request to `target` may go (at or before now: at once). Books nothing.
  Instant next_allowed(const std::string& target) const;
  // Books the next request to `target` and returns when it may go; the one after it waits one
  // spacing more, at the configured rate or `rate_cap` when that is lower (a task's share of a
  // campaign's cap; 0: none).
  Instant reserve(const std::string& target, double rate_cap = 0);
  // reserve(), then waits until the booked instant.
  boost::asio::awaitable<void> pace(const std::string& target, double rate_cap = 0);
  // Waits for a concurrency slot for `target`; leave() returns it, straight to the oldest call
  // still waiting for one (no polling: the slot changes hands in the same event-loop pass).
  boost::asio::awaitable<void> enter(const std::string& target);
  void leave(const std::string& target);
  // After a failure no request to `target` goes for the back-off, counted from now.
  void penalize(const std::string& target);

  const PolitenessConfig& config() const { return config_; }

 private:
  struct Waiter;  // an enter() parked for a slot
  struct State {
    Instant next_request{Instant::min()};
    unsigned active = 0;
    std::deque<Waiter*> waiting;  // oldest first
  };

  PolitenessConfig config_;
  const time::Clock& clock_;
  std::map<std::string, State> targets_;
};

}  // namespace eo::agent
