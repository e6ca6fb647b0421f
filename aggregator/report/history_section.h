// The report's server histories (tables of aggregator/history): uptime per window, availability
// and reachability over time, claimed versions over time, the changes table, and the findings
// opened and withdrawn. A pure function of the tables, like every section.
#pragma once

#include "aggregator/report/tables.h"

#include <string>

namespace eo::aggregator::report {

std::string history_section(const Tables& tables);

}  // namespace eo::aggregator::report
