// ElectrumX-style resource accounting: decaying costs per session and per subnet group.
#include "honeypot/server/cost.h"

#include <algorithm>

namespace eo::honeypot::server {
namespace {

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// A group's cost is the sum of its sessions' costs, so it decays as fast as all of them together.
void decay_group(CostGroups::Group& g, Clock::time_point now, double decay_per_s) {
  const double rate = decay_per_s * static_cast<double>(std::max<std::size_t>(1, g.sessions));
  g.cost = std::max(0.0, g.cost - seconds(now - g.updated) * rate);
  g.updated = now;
}

}  // namespace

CostGroups::Group* CostGroups::join(const std::string& key, Clock::time_point now) {
  if (key.empty()) return nullptr;
  if (groups_.size() > 10'000) sweep(now, 1.0);
  auto [it, inserted] = groups_.try_emplace(key);
  if (inserted) it->second.updated = now;
  ++it->second.sessions;
  return &it->second;
}

void CostGroups::leave(Group* group, Clock::time_point now, double decay_per_s) {
  if (group == nullptr) return;
  decay_group(*group, now, decay_per_s);
  if (group->sessions > 0) --group->sessions;
}

void CostGroups::sweep(Clock::time_point now, double decay_per_s) {
  for (auto it = groups_.begin(); it != groups_.end();) {
    decay_group(it->second, now, decay_per_s);
    if (it->second.sessions == 0 && it->second.cost < 1.0) {
      it = groups_.erase(it);
    } else {
      ++it;
    }
  }
}

CostMeter::CostMeter(const CostLimits& limits, CostGroups::Group* group, Clock::time_point now)
    : limits_(limits), group_(group), updated_(now) {
  if (limits_.enabled) bump(limits_.connection_cost, now);
}

void CostMeter::decay(Clock::time_point now) {
  cost_ = std::max(0.0, cost_ - seconds(now - updated_) * limits_.decay_per_s);
  updated_ = now;
  if (group_ != nullptr) decay_group(*group_, now, limits_.decay_per_s);
}

void CostMeter::bump(double delta, Clock::time_point now) {
  if (!limits_.enabled) return;
  decay(now);
  cost_ = std::max(0.0, cost_ + delta);
  if (group_ != nullptr) group_->cost = std::max(0.0, group_->cost + delta);
}

void CostMeter::bump_bytes(std::size_t bytes, Clock::time_point now) {
  bump(static_cast<double>(bytes) / limits_.bytes_per_unit, now);
}

double CostMeter::session_cost(Clock::time_point now) {
  decay(now);
  return cost_;
}

double CostMeter::effective(Clock::time_point now) {
  decay(now);
  if (group_ == nullptr) return cost_;
  return cost_ + limits_.group_weight * std::max(0.0, group_->cost - cost_);
}

std::chrono::milliseconds CostMeter::throttle_delay(Clock::time_point now) {
  if (!limits_.enabled) return std::chrono::milliseconds(0);
  const double range = limits_.hard_limit - limits_.soft_limit;
  const double fraction = std::clamp((effective(now) - limits_.soft_limit) / range, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<long>(fraction * limits_.sleep_ms));
}

bool CostMeter::over_hard_limit(Clock::time_point now) {
  return limits_.enabled && effective(now) >= limits_.hard_limit;
}

}  // namespace eo::honeypot::server
