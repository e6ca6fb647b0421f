// Politeness: the caps that protect the servers we measure (DESIGN.md §6), enforced in the agent
// whatever the coordinator sends: per-target request rate and concurrency, back-off after errors,
// and the operators' opt-out list.
#pragma once

#include <utility>  // Boost 1.74's awaitable.hpp needs std::exchange declared first.

#include <boost/asio/awaitable.hpp>

#include <chrono>
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

// Single-threaded (one io_context): no locks.
class Politeness {
 public:
  explicit Politeness(PolitenessConfig config) : config_(std::move(config)) {}

  bool opted_out(const std::string& host) const;
  // Waits until `target` may receive one more request, at the configured rate or `rate_cap`
  // when that is lower (a task's share of a campaign's cap; 0: none).
  boost::asio::awaitable<void> pace(const std::string& target, double rate_cap = 0);
  // Waits for a concurrency slot for `target`; release() returns it.
  boost::asio::awaitable<void> enter(const std::string& target);
  void leave(const std::string& target);
  // After a failure the next request to `target` waits for the back-off.
  void penalize(const std::string& target);

  const PolitenessConfig& config() const { return config_; }

 private:
  using Clock = std::chrono::steady_clock;
  struct State {
    Clock::time_point next_request{};
    unsigned active = 0;
  };

  PolitenessConfig config_;
  std::map<std::string, State> targets_;
};

}  // namespace eo::agent
