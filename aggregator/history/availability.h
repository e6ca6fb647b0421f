// Availability: probes tried and answered per server, hour and vantage (availability_hourly), the
// same per server and hour with running totals (server_hours: a window's uptime is two look-ups,
// whatever the history's length), and per server its first and last probe and answer and its
// uptime over 24 h, 7 d, 30 d and all (server_history).
#pragma once

#include "aggregator/history/seen.h"
#include "aggregator/results/sqlite.h"

#include <cstdint>
#include <map>
#include <string>
#include <tuple>

namespace eo::aggregator::history {

inline constexpr std::int64_t kHourUs = 3'600'000'000;

std::int64_t hour_of(std::int64_t micros);

class Availability {
 public:
  void add(const Seen& row);
  // Adds what was counted to the tables (counts are sums, so the order of passes is immaterial).
  void save(results::Database& db) const;

 private:
  struct Counts {
    std::int64_t probed = 0, answered = 0;
  };
  struct Span {
    std::int64_t first_probed = 0, last_probed = 0;
    std::int64_t first_seen = -1, last_seen = -1;  // -1: no answer in this pass
    Counts counts;
  };
  std::map<std::tuple<std::string, std::int64_t, std::string>, Counts> by_vantage_;
  std::map<std::pair<std::string, std::int64_t>, Counts> by_hour_;
  std::map<std::string, Span> spans_;
};

// Every server's uptime over the windows ending at the hour of now_us: answered / tried over the
// hours in the window; NULL when nothing was tried in it.
void update_uptime(results::Database& db, std::int64_t now_us);

}  // namespace eo::aggregator::history
