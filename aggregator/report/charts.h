// SVG bar charts for the centralization figures: drawn at report time, no script needed.
#pragma once

#include <string>
#include <vector>

namespace eo::aggregator::report {

struct Bar {
  std::string label;  // raw text; escaped when drawn
  double value = 0;   // a share in [0, 1]
  std::string note;   // shown after the bar (e.g. "12 servers")
};

// Horizontal bars, one per entry, longest = its share of the full width.
std::string bar_chart_svg(const std::string& id, const std::vector<Bar>& bars);

}  // namespace eo::aggregator::report
