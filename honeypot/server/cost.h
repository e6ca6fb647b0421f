// ElectrumX-style resource accounting (aiorpcX's session cost): every session, and every /24 or
// /48 subnet group of sessions, accumulates cost that decays with time. Past the soft limit
// requests are slowed, at the hard limit the session is ended.
#pragma once

#include "honeypot/server/profile.h"

#include <chrono>
#include <cstddef>
#include <string>
#include <unordered_map>

namespace eo::honeypot::server {

using Clock = std::chrono::steady_clock;

// The shared cost of each subnet group. One per server; not thread-safe.
class CostGroups {
 public:
  struct Group {
    double cost = 0;
    Clock::time_point updated{};
    std::size_t sessions = 0;
  };

  // The group named `key` (created on first use) with one more session; null for an empty key.
  Group* join(const std::string& key, Clock::time_point now);
  // One session fewer. Groups keep their cost after their last session leaves (a reconnect
  // does not start afresh); idle groups whose cost has decayed are swept now and then.
  void leave(Group* group, Clock::time_point now, double decay_per_s);

  std::size_t size() const { return groups_.size(); }

 private:
  void sweep(Clock::time_point now, double decay_per_s);

  std::unordered_map<std::string, Group> groups_;
};

class CostMeter {
 public:
  CostMeter(const CostLimits& limits, CostGroups::Group* group, Clock::time_point now);

  bool enabled() const { return limits_.enabled; }
  void bump(double delta, Clock::time_point now);
  void bump_bytes(std::size_t bytes, Clock::time_point now);

  // This session's cost plus group_weight times what the rest of its group has spent.
  double effective(Clock::time_point now);
  double session_cost(Clock::time_point now);
  // How long to sleep before answering: 0 below the soft limit, sleep_ms at the hard limit.
  std::chrono::milliseconds throttle_delay(Clock::time_point now);
  bool over_hard_limit(Clock::time_point now);

  CostGroups::Group* group() const { return group_; }

 private:
  void decay(Clock::time_point now);

  CostLimits limits_;
  CostGroups::Group* group_;
  double cost_ = 0;
  Clock::time_point updated_;
};

}  // namespace eo::honeypot::server
