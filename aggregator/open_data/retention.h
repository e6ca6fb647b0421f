// Retention of raw observations: whole UTC days older than the setting (before the newest
// observation) are written to their open-data day file and only then deleted, in one transaction
// per day, so a row leaves the database only once a synced file holds it. Honeypot events and the
// analysis and history tables are kept.
#pragma once

#include "aggregator/results/results_db.h"

#include <cstdint>
#include <string>

namespace eo::aggregator::open_data {

struct RetentionCounts {
  std::uint64_t days = 0;      // days expired by this call
  std::uint64_t exported = 0;  // their rows newly written to day files (the rest were there)
  std::uint64_t deleted = 0;   // rows deleted, each in a day file
  std::int64_t cutoff_us = 0;  // rows before this went; 0: nothing is old enough
};

// keep_days > 0: keeps every observation that started within keep_days days of the newest (and
// the rest of the oldest kept day).
RetentionCounts expire(results::ResultsDb& db, const std::string& dir, int keep_days);

}  // namespace eo::aggregator::open_data
