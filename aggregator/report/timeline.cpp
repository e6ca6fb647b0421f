#include "aggregator/report/timeline.h"

#include "aggregator/report/charts.h"
#include "aggregator/report/html.h"

#include <algorithm>

namespace eo::aggregator::report {

std::string timeline_svg(const std::string& id, const std::vector<Lane>& lanes,
                         std::int64_t from_us, std::int64_t to_us) {
  constexpr double kLabel = 180, kWidth = 560, kRow = 20, kAxis = 30;
  double height = kRow * double(lanes.size()) + kAxis;
  double span_us = double(std::max<std::int64_t>(to_us - from_us, 1));
  auto x = [&](std::int64_t t) {
    return kLabel + kWidth * std::clamp(double(t - from_us) / span_us, 0.0, 1.0);
  };
  std::string out = svg_open("chart timeline", id, kLabel + kWidth + 10, height);
  for (std::size_t i = 0; i < lanes.size(); ++i) {
    const Lane& lane = lanes[i];
    double y = kRow * double(i) + 2;
    out += row_label(lane.label, kLabel - 6, y + 13);
    for (const Span& s : lane.spans) {
      double left = x(s.start_us), width = std::max(x(s.end_us) - left, 1.0);
      out += "<g class=\"" + escape(s.css_class) + "\"><rect x=\"" + fixed(left, 1) + "\" y=\"" +
             fixed(y + 2, 1) + "\" width=\"" + fixed(width, 1) + "\" height=\"14\"><title>" +
             escape(s.title) + "</title></rect>";
      // Roughly 6 px per character at 11 px: text that does not fit stays in the tooltip.
      if (!s.text.empty() && width > 6.0 * double(s.text.size()) + 4) {
        out += "<text x=\"" + fixed(left + 3, 1) + "\" y=\"" + fixed(y + 13, 1) + "\">" +
               escape(s.text) + "</text>";
      }
      out += "</g>";
    }
    out += "\n";
  }
  double axis = kRow * double(lanes.size()) + 4;
  out += "<line class=\"axis\" x1=\"" + fixed(kLabel, 0) + "\" x2=\"" + fixed(kLabel + kWidth, 0) +
         "\" y1=\"" + fixed(axis, 1) + "\" y2=\"" + fixed(axis, 1) + "\"/><text x=\"" +
         fixed(kLabel, 0) + "\" y=\"" + fixed(axis + 16, 1) + "\">" + escape(utc_time(from_us)) +
         "</text><text class=\"label\" x=\"" + fixed(kLabel + kWidth, 0) + "\" y=\"" +
         fixed(axis + 16, 1) + "\">" + escape(utc_time(to_us)) + "</text>\n";
  return out + "</svg>\n";
}

}  // namespace eo::aggregator::report
