// Rate-limit inference from rate_limit_ramp observations: per server and vantage the threshold
// (requests answered before the first throttle) and the style of the throttle, named by the
// reference's rules (ElectrumX-like cost: sleeps then -101 and disconnect; Fulcrum-like per-IP
// flood limits; a bare disconnect; none). A lower threshold for one vantage than for another is
// the input of the differential analysis.
#pragma once

#include "aggregator/reference/reference.h"
#include "aggregator/results/rows.h"
#include "aggregator/results/sqlite.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace eo::aggregator::ratelimit {

inline constexpr const char* kNone = "none";                  // never throttled within the ramp
inline constexpr const char* kUnclassified = "unclassified";  // throttled, no rule matched

struct RateLimit {
  std::string target_id;
  std::string vantage_id;
  std::uint64_t observations = 0;  // completed ramps
  std::uint64_t throttled = 0;
  std::optional<std::int64_t> threshold;  // median over the throttled ramps (the lower middle)
  std::string style = kNone;              // the most frequent style of the throttled ramps
  std::vector<std::string> evidence;      // the ramps' observation ids

  bool operator==(const RateLimit&) const = default;
};

// The style of one completed ramp (ramp_throttled set), from its first throttle.
std::string style_of(const results::ObservationRow& ramp, const reference::Reference& reference);

// Sorted by target, then vantage; rows of other probes are skipped.
std::vector<RateLimit> infer_rate_limits(std::span<const results::ObservationRow> rows,
                                         const reference::Reference& reference);

// Replaces the rate_limits table.
void save_rate_limits(results::Database& db, const std::vector<RateLimit>& limits);

}  // namespace eo::aggregator::ratelimit
