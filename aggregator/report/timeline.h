// SVG time-series figures for the server histories: one row per server over a shared time axis,
// drawn at report time like the bar charts, no script needed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace eo::aggregator::report {

struct Span {
  std::int64_t start_us = 0;
  std::int64_t end_us = 0;  // exclusive
  std::string css_class;    // our own class name, never data
  std::string text;         // raw text drawn inside the span when it fits; escaped when drawn
  std::string title;        // raw text of the tooltip; escaped when drawn
};

struct Lane {
  std::string label;  // raw text; escaped when drawn
  std::vector<Span> spans;
};

// Lanes over [from_us, to_us) with the two ends' UTC times under the axis.
std::string timeline_svg(const std::string& id, const std::vector<Lane>& lanes,
                         std::int64_t from_us, std::int64_t to_us);

}  // namespace eo::aggregator::report
