// Writes the open-data day files (docs/data.md) from the results database: observations per UTC
// day of their start, and the findings of the last pass in the file of the day of its newest
// observation. A day file is rewritten only when the database holds a different number of that
// day's observations than when it was last written (table exported_days), and merged with what
// it holds when retention has since deleted rows of it, so no observation is ever lost or written
// twice.
#pragma once

#include "aggregator/results/results_db.h"

#include <cstdint>
#include <optional>
#include <string>

namespace eo::aggregator::open_data {

struct ExportOptions {
  std::string dir;
  // Honeypot clients' IPs in findings: only when the operator asks (the default withholds them).
  bool client_ips = false;
};

struct ExportCounts {
  std::uint64_t observation_days = 0;   // day files written
  std::uint64_t observation_lines = 0;  // lines those files hold
  std::uint64_t findings = 0;
  std::string findings_day;  // empty: no findings file (no observation yet)
};

// One observation day file (the day starting at day_us): written from the database, merged with
// the file when that holds rows the database no longer has. Runs inside the caller's
// transaction; returns the lines the file holds.
std::uint64_t write_observation_day(results::ResultsDb& db, const std::string& dir,
                                    std::int64_t day_us);

// After an analysis pass: the observation days from the window's first day on that changed
// (through the newest observation's day when `final`, else only the days before it, which are
// complete), and the findings. A zero window_start_us: from the oldest observation.
ExportCounts export_after_pass(results::ResultsDb& db, const ExportOptions& options,
                               std::int64_t window_start_us, bool final);

// Every day of the history that changed, and the findings of the last pass (`aggregator export`).
ExportCounts export_all(results::ResultsDb& db, const ExportOptions& options);

}  // namespace eo::aggregator::open_data
