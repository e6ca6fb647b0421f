// The results database (SQLite, WAL): ingested observations, honeypot events and malformed
// records, and the analysis tables derived from them. Not thread-safe: one thread owns it.
#pragma once

#include "aggregator/results/rows.h"
#include "aggregator/results/sqlite.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace eo::aggregator::results {

// What one write_batch changed. A duplicate is a row whose id was already stored (a redelivery,
// a replay, or a repeat inside the batch); it is left as it was.
struct BatchCounts {
  std::uint64_t observations = 0;
  std::uint64_t observation_duplicates = 0;
  std::uint64_t events = 0;
  std::uint64_t event_duplicates = 0;
  std::uint64_t malformed = 0;  // newly recorded (a redelivered malformed record counts once)
};

struct Totals {
  std::uint64_t observations = 0;
  std::uint64_t events = 0;
  std::uint64_t malformed = 0;
  std::uint64_t targets = 0;
};

inline constexpr std::int64_t kAllHistory = std::numeric_limits<std::int64_t>::min();

class ResultsDb {
 public:
  // Opens or creates the file and brings its schema up to date. Throws SqliteError naming it.
  explicit ResultsDb(const std::string& path);

  // All of it in one transaction that is durable when this returns; nothing of it on a throw.
  BatchCounts write_batch(std::span<const ObservationRow> observations,
                          std::span<const EventRow> events,
                          std::span<const MalformedRecord> malformed);

  // Observations of the given probes (all when empty) that started at since_us or later, by
  // target, start time and id.
  std::vector<ObservationRow> observations(const std::vector<std::string>& probes = {},
                                           std::int64_t since_us = kAllHistory);
  std::vector<EventRow> events(std::int64_t since_us = kAllHistory);  // by time, then id
  // The start time of the newest observation; nullopt when there is none.
  std::optional<std::int64_t> newest_observation_us();
  std::optional<std::int64_t> oldest_observation_us();

  // Observations that started in [from_us, to_us), by start time and id, one at a time (a day of
  // them need not fit in memory), and how many there are; all through the start-time index.
  void scan_observations(std::int64_t from_us, std::int64_t to_us,
                         const std::function<void(const ObservationRow&)>& visit);
  std::uint64_t count_observations(std::int64_t from_us, std::int64_t to_us);
  // Deletes them; returns how many went. Retention's, after they are exported.
  std::uint64_t delete_observations(std::int64_t from_us, std::int64_t to_us);
  std::vector<MalformedRecord> malformed();
  Totals totals();

  // For the analyses' own tables (their save functions run inside one Transaction).
  Database& database() { return db_; }

 private:
  Database db_;
};

// The first start time inside a window that ends at the newest observation; kAllHistory for a
// zero window or an empty database.
std::int64_t window_start(ResultsDb& db, std::chrono::hours window);

}  // namespace eo::aggregator::results
