// The report's sections, each a pure function of the analysis tables (and, for the overview, of
// counts over the ingested rows): same tables, same HTML.
#pragma once

#include "aggregator/report/tables.h"
#include "aggregator/report/world_map.h"

#include <cstdint>
#include <string>
#include <vector>

namespace eo::aggregator::report {

// What the ingested tables say about the data set as a whole: its own times, never the clock's.
struct Overview {
  std::int64_t observations = 0;
  std::int64_t honeypot_events = 0;
  std::int64_t vantages = 0;
  std::int64_t rounds = 0;  // distinct (campaign, round)
  std::int64_t first_us = 0;
  std::int64_t last_us = 0;
  int schema_version = 0;
};

struct Section {
  std::string id;
  std::string title;
  std::string html;  // the section's body, below its heading
};

// Every section in page order; titles are the headings the browser test looks for.
std::vector<Section> report_sections(const Tables& tables, const Overview& overview,
                                     const std::vector<CountryShape>& countries);

}  // namespace eo::aggregator::report
