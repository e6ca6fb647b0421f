#include "aggregator/open_data/retention.h"

#include "aggregator/open_data/day_files.h"
#include "aggregator/open_data/exporter.h"

#include <algorithm>
#include <filesystem>

namespace eo::aggregator::open_data {

namespace {

// How many of the day's database rows its file was last written with.
std::uint64_t exported_rows(results::ResultsDb& db, std::int64_t day) {
  auto s = db.database().prepare(
      "SELECT db_rows FROM exported_days WHERE kind = 'observations' AND day = ?");
  s.bind(1, utc_day(day));
  return s.step() ? static_cast<std::uint64_t>(s.i64(0)) : 0;
}

}  // namespace

RetentionCounts expire(results::ResultsDb& db, const std::string& dir, int keep_days) {
  RetentionCounts counts;
  const auto newest = db.newest_observation_us();
  if (!newest || keep_days <= 0) return counts;
  const auto cutoff = day_start_us(*newest - keep_days * kDayUs);
  counts.cutoff_us = cutoff;
  // Oldest first, one day per transaction: an interrupted run leaves whole days behind.
  for (auto oldest = db.oldest_observation_us(); oldest && *oldest < cutoff;
       oldest = db.oldest_observation_us()) {
    const auto day = day_start_us(*oldest);
    results::Transaction tx(db.database());
    const auto in_file = exported_rows(db, day);
    const auto rows = db.count_observations(day, day + kDayUs);
    // A file that went missing since it was written is written again before anything is deleted.
    const bool missing = !std::filesystem::exists(day_file(dir, "observations", utc_day(day)));
    if (in_file != rows || missing) {
      write_observation_day(db, dir, day);
      counts.exported += missing ? rows : rows - std::min(rows, in_file);
    }
    counts.deleted += db.delete_observations(day, day + kDayUs);
    // The file now holds rows the database does not: a later export of this day merges.
    auto mark = db.database().prepare(
        "UPDATE exported_days SET db_rows = 0 WHERE kind = 'observations' AND day = ?");
    mark.bind(1, utc_day(day));
    mark.run();
    tx.commit();
    ++counts.days;
  }
  return counts;
}

}  // namespace eo::aggregator::open_data
