#include "aggregator/report/charts.h"

#include "aggregator/report/html.h"

#include <algorithm>

namespace eo::aggregator::report {

std::string svg_open(std::string_view css_class, std::string_view id, double width, double height) {
  return "<svg class=\"" + escape(css_class) + "\" id=\"" + escape(id) + "\" viewBox=\"0 0 " +
         fixed(width, 0) + " " + fixed(height, 0) +
         "\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\">\n";
}

std::string row_label(std::string_view label, double right, double y) {
  std::string shown(label.size() > 28 ? std::string(label.substr(0, 27)) + "…" : label);
  return "<text class=\"label\" x=\"" + fixed(right, 0) + "\" y=\"" + fixed(y, 1) + "\">" +
         escape(shown) + "</text>";
}

std::string bar_chart_svg(const std::string& id, const std::vector<Bar>& bars) {
  constexpr double kLabel = 180, kBar = 300, kRow = 20;
  double height = kRow * double(bars.size()) + 4;
  std::string out = svg_open("chart", id, kLabel + kBar + 150, height);
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const Bar& b = bars[i];
    double y = kRow * double(i) + 2;
    double width = kBar * std::clamp(b.value, 0.0, 1.0);
    out += row_label(b.label, kLabel - 6, y + 13) + "<rect class=\"bar\" x=\"" + fixed(kLabel, 0) +
           "\" y=\"" + fixed(y + 2, 1) + "\" width=\"" + fixed(width, 1) +
           "\" height=\"14\"><title>" + escape(b.label) + ": " + percent(b.value) +
           "</title></rect><text class=\"value\" x=\"" + fixed(kLabel + width + 6, 1) + "\" y=\"" +
           fixed(y + 13, 1) + "\">" + percent(b.value) +
           (b.note.empty() ? "" : " · " + escape(b.note)) + "</text>\n";
  }
  return out + "</svg>\n";
}

}  // namespace eo::aggregator::report
