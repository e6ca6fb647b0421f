// SVG figures drawn at report time, no script needed: the bar charts of the centralization
// figures, and the pieces every figure of the report shares.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace eo::aggregator::report {

struct Bar {
  std::string label;  // raw text; escaped when drawn
  double value = 0;   // a share in [0, 1]
  std::string note;   // shown after the bar (e.g. "12 servers")
};

// The opening <svg> tag of a figure `width` x `height` user units wide and high.
std::string svg_open(std::string_view css_class, std::string_view id, double width, double height);
// A row's label, right-aligned at `right`, cut to 28 characters (the whole text is in the table
// beside every figure).
std::string row_label(std::string_view label, double right, double y);

// Horizontal bars, one per entry, longest = its share of the full width.
std::string bar_chart_svg(const std::string& id, const std::vector<Bar>& bars);

}  // namespace eo::aggregator::report
