#include "aggregator/report/history_section.h"

#include "aggregator/report/html.h"
#include "aggregator/report/timeline.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <vector>

namespace eo::aggregator::report {

namespace {

constexpr std::int64_t kHourUs = 3'600'000'000;
// The availability figure has at most this many columns: a long history is drawn in wider
// buckets instead of one rectangle per hour.
constexpr std::int64_t kMaxColumns = 120;

const Table& table_or_empty(const Tables& tables, const std::string& name) {
  static const Table kEmpty;
  auto it = tables.find(name);
  return it == tables.end() ? kEmpty : it->second;
}

struct Range {
  std::int64_t from_us = 0, to_us = 0;
  bool empty() const { return to_us <= from_us; }
};

// From the first probe of any server to the newest observation the histories have read.
Range history_range(const Tables& tables) {
  const Table& h = table_or_empty(tables, "server_history");
  const Table& pass = table_or_empty(tables, "history_pass");
  Range r;
  for (const auto& row : h.rows) {
    std::int64_t first = h.at(row, "first_probed_us").integer;
    if (r.from_us == 0 || first < r.from_us) r.from_us = first;
    r.to_us = std::max(r.to_us, h.at(row, "last_probed_us").integer + 1);
  }
  for (const auto& row : pass.rows) r.to_us = std::max(r.to_us, pass.at(row, "now_us").integer + 1);
  return r;
}

std::string availability_figure(const Tables& tables, const Range& range) {
  const Table& a = table_or_empty(tables, "availability_hourly");
  std::int64_t bucket = kHourUs;
  while ((range.to_us - range.from_us) / bucket >= kMaxColumns) bucket *= 2;
  struct Counts {
    std::int64_t probed = 0, answered = 0;
  };
  std::map<std::string, std::map<std::int64_t, Counts>> by_server;
  for (const auto& row : a.rows) {
    std::int64_t hour = a.at(row, "hour_us").integer;
    std::int64_t column =
        range.from_us + (std::max(hour, range.from_us) - range.from_us) / bucket * bucket;
    auto& c = by_server[a.at(row, "server").text][column];
    c.probed += a.at(row, "probed").integer;
    c.answered += a.at(row, "answered").integer;
  }
  std::vector<Lane> lanes;
  for (const auto& [server, columns] : by_server) {
    Lane lane{server, {}};
    for (const auto& [start, c] : columns) {
      double share = c.probed ? double(c.answered) / double(c.probed) : 0;
      std::string level = share >= 1 ? "a3" : share >= 0.5 ? "a2" : share > 0 ? "a1" : "a0";
      lane.spans.push_back({start, std::min(start + bucket, range.to_us), level, "",
                            server + " from " + utc_time(start) + ": " +
                                std::to_string(c.answered) + " of " + std::to_string(c.probed) +
                                " probes answered (" + percent(share) + ")"});
    }
    lanes.push_back(std::move(lane));
  }
  return "<figure>" + timeline_svg("figure-availability", lanes, range.from_us, range.to_us) +
         "<figcaption>Probes answered per " +
         (bucket == kHourUs ? std::string("hour") : std::to_string(bucket / kHourUs) + " hours") +
         " over every vantage: all (darkest), at least half, some, none (red).</figcaption>"
         "</figure>\n";
}

// One lane per server from the changes of one attribute: each value from its round to the next
// change (or the end of the history).
std::vector<Lane> attribute_lanes(const Tables& tables, const std::string& attribute,
                                  const Range& range,
                                  const std::function<std::string(const std::string&)>& css) {
  const Table& c = table_or_empty(tables, "server_changes");
  std::map<std::string, std::vector<const std::vector<Cell>*>> by_server;
  for (const auto& row : c.rows) {
    if (c.at(row, "attribute").text == attribute)
      by_server[c.at(row, "server").text].push_back(&row);
  }
  std::vector<Lane> lanes;
  for (auto& [server, rows] : by_server) {
    std::stable_sort(rows.begin(), rows.end(), [&](const auto* x, const auto* y) {
      return c.at(*x, "changed_us").integer < c.at(*y, "changed_us").integer;
    });
    Lane lane{server, {}};
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const auto& row = *rows[i];
      std::int64_t start = c.at(row, "changed_us").integer;
      std::int64_t end =
          i + 1 < rows.size() ? c.at(*rows[i + 1], "changed_us").integer : range.to_us;
      const std::string& value = c.at(row, "new_value").text;
      lane.spans.push_back({start, end, css(value), value,
                            server + ": " + value + " from round " + c.at(row, "round").text +
                                " (" + utc_time(start) + ")"});
    }
    lanes.push_back(std::move(lane));
  }
  return lanes;
}

std::string reachability_figure(const Tables& tables, const Range& range) {
  auto lanes = attribute_lanes(tables, "reachability", range, [](const std::string& value) {
    return value == "up" ? std::string("up") : std::string("down");
  });
  return "<figure>" + timeline_svg("figure-reachability", lanes, range.from_us, range.to_us) +
         "<figcaption>Reachability by round: up when any vantage got an answer in the round, "
         "down when none did.</figcaption></figure>\n";
}

std::string versions_figure(const Tables& tables, const Range& range) {
  std::map<std::string, std::size_t> palette;  // version -> colour, in order of appearance
  auto lanes = attribute_lanes(tables, "version", range, [&](const std::string& value) {
    auto [it, fresh] = palette.try_emplace(value, palette.size());
    return "v" + std::to_string(it->second % 6);
  });
  return "<figure>" + timeline_svg("figure-versions", lanes, range.from_us, range.to_us) +
         "<figcaption>The version each server claims (server.version), from the round it was "
         "first seen claiming it.</figcaption></figure>\n";
}

HtmlCell time_cell(const Cell& cell) {
  if (cell.kind != Cell::Kind::integer) return {"", ""};
  return {escape(utc_time(cell.integer)), std::to_string(cell.integer)};
}

std::string uptime_table(const Tables& tables) {
  const Table& h = table_or_empty(tables, "server_history");
  HtmlTable table("table-server-history",
                  {"server", "first probed", "first seen", "last seen", "probes answered",
                   "uptime 24 h", "uptime 7 d", "uptime 30 d", "uptime (all)"});
  for (const auto& row : h.rows) {
    table.add_row({text_cell(h.at(row, "server").text), time_cell(h.at(row, "first_probed_us")),
                   time_cell(h.at(row, "first_seen_us")), time_cell(h.at(row, "last_seen_us")),
                   text_cell(h.at(row, "answered").text + " of " + h.at(row, "probed").text),
                   cell_of(h.at(row, "uptime_24h")), cell_of(h.at(row, "uptime_7d")),
                   cell_of(h.at(row, "uptime_30d")), cell_of(h.at(row, "uptime_all"))});
  }
  return table.render();
}

// Hashes (certificate, key, banner) shortened to 16 digits, the whole value in the tooltip.
HtmlCell value_cell(const std::string& attribute, const std::string& value) {
  bool hash = attribute == "certificate" || attribute == "key" || attribute == "banner";
  if (!hash || value.size() <= 16) return text_cell(value);
  return {"<code title=\"" + escape(value) + "\">" + escape(value.substr(0, 16)) + "…</code>", ""};
}

std::string changes_table(const Tables& tables) {
  const Table& c = table_or_empty(tables, "server_changes");
  HtmlTable table("table-changes", {"server", "attribute", "campaign", "round", "changed", "from",
                                    "to", "evidence"});
  for (const auto& row : c.rows) {
    if (c.at(row, "old_value").kind == Cell::Kind::null) continue;  // first seen: no change
    const std::string& id = c.at(row, "observation_id").text;
    const std::string& attribute = c.at(row, "attribute").text;
    table.add_row({text_cell(c.at(row, "server").text), text_cell(attribute),
                   text_cell(c.at(row, "campaign_id").text), cell_of(c.at(row, "round")),
                   time_cell(c.at(row, "changed_us")),
                   value_cell(attribute, c.at(row, "old_value").text),
                   value_cell(attribute, c.at(row, "new_value").text),
                   id.empty() ? HtmlCell{"", "0"}
                              : evidence_cell(nlohmann::json::array({id}).dump(
                                    -1, ' ', false, nlohmann::json::error_handler_t::replace))});
  }
  return table.render();
}

// One lane per finding (kind and server): a bar for each stretch it was open, to its withdrawal or
// the end of the history.
std::string findings_figure(const Tables& tables, const Range& range) {
  const Table& f = table_or_empty(tables, "finding_history");
  std::map<std::string, Lane> by_finding;
  for (const auto& row : f.rows) {
    const std::string& id = f.at(row, "finding_id").text;
    auto [it, fresh] = by_finding.try_emplace(id);
    if (fresh) it->second.label = f.at(row, "kind").text + " " + f.at(row, "server").text;
    bool open = f.at(row, "withdrawn_us").kind == Cell::Kind::null;
    std::int64_t start = f.at(row, "opened_us").integer;
    std::int64_t end = open ? range.to_us : f.at(row, "withdrawn_us").integer;
    it->second.spans.push_back({start, end, open ? "open" : "withdrawn", "",
                                id + " (" + it->second.label + "): opened " + utc_time(start) +
                                    (open ? ", still open" : ", withdrawn " + utc_time(end))});
  }
  std::vector<Lane> lanes;
  for (auto& [id, lane] : by_finding) lanes.push_back(std::move(lane));
  return "<figure>" + timeline_svg("figure-findings", lanes, range.from_us, range.to_us) +
         "<figcaption>Each finding from the pass that opened it to the pass that withdrew it "
         "(grey) or to now (still open).</figcaption></figure>\n";
}

std::string findings_history_table(const Tables& tables) {
  const Table& f = table_or_empty(tables, "finding_history");
  HtmlTable table("table-finding-history",
                  {"finding", "kind", "server", "target", "vantage", "opened", "opened in round",
                   "withdrawn", "withdrawn in round"});
  for (const auto& row : f.rows) {
    bool open = f.at(row, "withdrawn_us").kind == Cell::Kind::null;
    table.add_row(
        {text_cell(f.at(row, "finding_id").text), text_cell(f.at(row, "kind").text),
         text_cell(f.at(row, "server").text), text_cell(f.at(row, "target_id").text),
         text_cell(f.at(row, "vantage_id").text), time_cell(f.at(row, "opened_us")),
         text_cell(f.at(row, "opened_campaign").text + " #" + f.at(row, "opened_round").text),
         open ? HtmlCell{"still open", ""} : time_cell(f.at(row, "withdrawn_us")),
         text_cell(open ? std::string()
                        : f.at(row, "withdrawn_campaign").text + " #" +
                              f.at(row, "withdrawn_round").text)});
  }
  return table.render();
}

}  // namespace

std::string history_section(const Tables& tables) {
  Range range = history_range(tables);
  std::string html =
      "<p>Kept across analysis passes from every observation ever ingested (the other sections "
      "read the analysis window). Uptime: probes answered / probes tried in the hours of the "
      "window, ending at the newest observation; empty when the server was not probed in it. "
      "Rules in docs/aggregator.md.</p>\n" +
      uptime_table(tables);
  if (!range.empty()) {
    html += "<h3>Availability over time</h3>\n" + availability_figure(tables, range) +
            reachability_figure(tables, range) + "<h3>Claimed versions over time</h3>\n" +
            versions_figure(tables, range);
  }
  return html +
         "<h3>Changes</h3>\n<p>Each change of what a server shows, at the round it was first "
         "seen: its claimed version, inferred implementation (at the analysis pass that first "
         "inferred it), TLS certificate and key (SHA-256), addresses, peers, banner (SHA-256) "
         "and reachability. Values first seen are in the CSV export "
         "(server_changes with an empty old value).</p>\n" +
         changes_table(tables) + "<h3>Findings opened and withdrawn</h3>\n" +
         (range.empty() ? std::string() : findings_figure(tables, range)) +
         findings_history_table(tables);
}

}  // namespace eo::aggregator::report
