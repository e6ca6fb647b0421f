// The report's behaviour clusters (tables of aggregator/behaviour): a figure of how far each group
// and each outlier stands from its nearest neighbour, the groups with their members and
// distinguishing facts, and the outliers with what sets them apart. A pure function of the
// tables, like every section.
#pragma once

#include "aggregator/report/tables.h"

#include <string>

namespace eo::aggregator::report {

std::string behaviour_section(const Tables& tables);

// The figure alone: one row per group (largest first), a circle whose area is its members at its
// distance, in disagreeing cases, from the nearest other group; outliers red; the cut dashed.
std::string behaviour_figure_svg(const Table& clusters);

}  // namespace eo::aggregator::report
