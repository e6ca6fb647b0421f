#include "aggregator/report/behaviour_section.h"

#include "aggregator/report/charts.h"
#include "aggregator/report/html.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace eo::aggregator::report {

namespace {

using Json = nlohmann::json;

constexpr double kCut = 0.5;          // aggregator/behaviour's Options::cut
constexpr std::size_t kMaxRows = 40;  // groups drawn; the table lists every one

// A JSON array of strings as a list; anything else as nothing.
HtmlCell list_cell(const std::string& json_text) {
  auto items = Json::parse(json_text, nullptr, false);
  if (!items.is_array() || items.empty()) return {"", ""};
  std::string html = "<ul>";
  for (const auto& item : items) {
    if (item.is_string()) html += "<li><code>" + escape(item.get<std::string>()) + "</code></li>";
  }
  return {html + "</ul>", std::to_string(items.size())};
}

std::string distance_text(const Cell& nearest, const Cell& distance) {
  if (nearest.text.empty()) return "";
  return nearest.text + " (" +
         (distance.kind == Cell::Kind::null ? "too little in common" : fixed(distance.real, 2)) +
         ")";
}

}  // namespace

std::string behaviour_figure_svg(const Table& clusters) {
  constexpr double kLabel = 150, kPlot = 420, kRow = 24, kTop = 18;
  const std::size_t rows = std::min(clusters.rows.size(), kMaxRows);
  double largest = 1, farthest = 1;
  for (std::size_t i = 0; i < rows; ++i) {
    const auto& row = clusters.rows[i];
    largest = std::max(largest, double(clusters.at(row, "servers").integer));
    const Cell& d = clusters.at(row, "nearest_distance");
    if (d.kind == Cell::Kind::real) farthest = std::max(farthest, d.real);
  }
  farthest = std::ceil(farthest);
  // Not comparable (too few cases in common) is drawn past the axis' end.
  auto x_of = [&](const Cell& d) {
    return kLabel + kPlot * (d.kind == Cell::Kind::real ? d.real / (farthest + 1) : 1.0);
  };
  double height = kTop + kRow * double(rows) + 24;
  std::string out = svg_open("chart behaviour", "chart-behaviour", kLabel + kPlot + 60, height);
  const double axis_y = kTop + kRow * double(rows) + 4;
  out += "<line x1=\"" + fixed(kLabel, 0) + "\" y1=\"" + fixed(axis_y, 1) + "\" x2=\"" +
         fixed(kLabel + kPlot, 0) + "\" y2=\"" + fixed(axis_y, 1) + "\" stroke=\"#888\"/>\n";
  for (double tick = 0; tick <= farthest; tick += std::max(1.0, std::ceil(farthest / 8))) {
    double x = kLabel + kPlot * tick / (farthest + 1);
    out += "<text x=\"" + fixed(x, 1) + "\" y=\"" + fixed(axis_y + 14, 1) +
           "\" text-anchor=\"middle\">" + fixed(tick, 0) + "</text>\n";
  }
  out += "<text x=\"" + fixed(kLabel + kPlot, 0) + "\" y=\"" + fixed(axis_y + 14, 1) +
         "\" text-anchor=\"middle\">n/c</text>\n";
  double cut_x = kLabel + kPlot * kCut / (farthest + 1);
  out += "<line x1=\"" + fixed(cut_x, 1) + "\" y1=\"4\" x2=\"" + fixed(cut_x, 1) + "\" y2=\"" +
         fixed(axis_y, 1) +
         "\" stroke=\"#888\" stroke-dasharray=\"4 3\"><title>cut: " + fixed(kCut, 1) +
         " cases</title></line>\n";
  for (std::size_t i = 0; i < rows; ++i) {
    const auto& row = clusters.rows[i];
    const std::int64_t servers = clusters.at(row, "servers").integer;
    const std::string& id = clusters.at(row, "cluster_id").text;
    const std::string& nearest = clusters.at(row, "nearest_cluster").text;
    const Cell& d = clusters.at(row, "nearest_distance");
    double y = kTop + kRow * double(i) + kRow / 2;
    double r = 3 + 7 * std::sqrt(double(servers) / largest);
    std::string label =
        id + " · " + std::to_string(servers) + (servers == 1 ? " server" : " servers");
    out += "<text class=\"label\" text-anchor=\"end\" x=\"" + fixed(kLabel - 8, 0) + "\" y=\"" +
           fixed(y + 4, 1) + "\">" + escape(label) + "</text>";
    if (nearest.empty()) {
      out += "\n";
      continue;
    }
    double x = x_of(d);
    out +=
        "<circle cx=\"" + fixed(x, 1) + "\" cy=\"" + fixed(y, 1) + "\" r=\"" + fixed(r, 1) +
        "\" fill=\"" + (servers == 1 ? "#de2d26" : "#3182bd") + "\" fill-opacity=\"0.8\"><title>" +
        escape(id + ": " + clusters.at(row, "members").text) + "</title></circle><text x=\"" +
        fixed(x + r + 4, 1) + "\" y=\"" + fixed(y + 4, 1) + "\">→ " + escape(nearest) + "</text>\n";
  }
  return out + "</svg>\n";
}

std::string behaviour_section(const Tables& tables) {
  static const Table kEmpty;
  auto find = [&](const char* name) -> const Table& {
    auto it = tables.find(name);
    return it == tables.end() ? kEmpty : it->second;
  };
  const Table& c = find("behaviour_clusters");
  const Table& m = find("behaviour_members");
  HtmlTable groups("table-behaviour-clusters",
                   {"group", "servers", "members", "distinguishing facts", "nearest group"});
  for (const auto& row : c.rows) {
    if (c.at(row, "servers").integer < 2) continue;
    groups.add_row(
        {text_cell(c.at(row, "cluster_id").text), cell_of(c.at(row, "servers")),
         text_cell(c.at(row, "members").text), list_cell(c.at(row, "distinguishing_json").text),
         text_cell(distance_text(c.at(row, "nearest_cluster"), c.at(row, "nearest_distance")))});
  }
  HtmlTable outliers("table-behaviour-outliers",
                     {"server", "cases seen", "nearest group", "differs from it in"});
  for (const auto& row : m.rows) {
    if (m.at(row, "outlier").integer == 0) continue;
    outliers.add_row(
        {text_cell(m.at(row, "server").text), cell_of(m.at(row, "cases")),
         text_cell(distance_text(m.at(row, "nearest_cluster"), m.at(row, "nearest_distance"))),
         list_cell(m.at(row, "differs_json").text)});
  }
  return "<p>Servers grouped by everything they showed (fingerprint facts, framing, error texts "
         "normalised, the claimed software, rate-limit style), with no fingerprint: distance = "
         "probe cases on which two servers disagree, differences that one implementation's "
         "releases or options explain left out; average linkage, cut at 0.5 "
         "(docs/aggregator.md). Each server's vector is in behaviour_members.vector_json.</p>\n" +
         (c.rows.empty() ? std::string("<p class=\"none\">none</p>\n")
                         : "<figure>" + behaviour_figure_svg(c) +
                               "<figcaption>Each row a group (red: one server, an outlier), placed "
                               "at its mean distance in cases from the nearest other group (→); "
                               "dashed: the cut; n/c: too little in common to compare." +
                               (c.rows.size() > kMaxRows
                                    ? " The " + std::to_string(kMaxRows) + " largest of " +
                                          std::to_string(c.rows.size()) + " groups."
                                    : std::string()) +
                               "</figcaption></figure>\n") +
         "<h3>Groups</h3>\n" + groups.render() + "<h3>Outliers</h3>\n" + outliers.render();
}

}  // namespace eo::aggregator::report
