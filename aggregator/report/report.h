// `observatory report`: the results database as one self-contained HTML page (report.html), a
// CSV file per analysis table (csv/<table>.csv) and every table in one JSON object
// (report.json). Deterministic: the same database gives byte-identical files (rows in key order,
// times from the data, never from the clock).
#pragma once

#include "aggregator/report/sections.h"
#include "aggregator/results/results_db.h"

#include <cstddef>
#include <string>

namespace eo::aggregator::report {

struct ReportFiles {
  std::string html;
  std::string json;
  std::string csv_dir;
  std::size_t tables = 0;
  std::size_t servers = 0;
  std::size_t findings = 0;
};

// Counts over the ingested tables for the overview.
Overview read_overview(results::ResultsDb& db);

// Writes OUT_DIR/report.html, report.json and csv/ (creating OUT_DIR). Each file is written to a
// temporary name and renamed, so a reader never sees half a report. Throws std::runtime_error
// naming a file it cannot write.
ReportFiles write_report(results::ResultsDb& db, const std::string& out_dir);

// The page alone, for tests: the same HTML write_report() writes.
std::string render_report(results::ResultsDb& db);

}  // namespace eo::aggregator::report
