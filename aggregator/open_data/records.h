// The open-data records (docs/data.md): one JSON object per line, schema versioned. An
// observation is its results row with the probe's result embedded as JSON; a finding is its
// findings row with evidence and details embedded, and the day and pass it belongs to.
#pragma once

#include "aggregator/results/rows.h"

#include <cstdint>
#include <optional>
#include <string>

namespace eo::aggregator::open_data {

// Bumped when a field changes meaning or goes; adding a field keeps it (readers ignore unknown
// fields).
inline constexpr int kSchemaVersion = 1;

// The findings table's columns, as a pass wrote them.
struct FindingRow {
  std::string finding_id;
  std::string kind;
  std::string server;
  std::string target_id;
  std::string vantage_id;
  std::string dimension;
  std::optional<double> score, p, q;
  std::string summary;
  std::string evidence_json;
  std::string details_json;
};

// Where a finding stands: the pass that held it (its window and newest observation).
struct FindingContext {
  std::string day;  // "YYYY-MM-DD" (UTC) of as_of_us
  std::int64_t as_of_us = 0;
  std::optional<std::int64_t> window_start_us;  // unknown when exported apart from a pass
};

std::string observation_line(const results::ObservationRow& row);
std::string finding_line(const FindingRow& row, const FindingContext& context);

// The observation_id of an observation line (what merging a day file needs); "" if none.
std::string observation_id_of(const std::string& line);

}  // namespace eo::aggregator::open_data
