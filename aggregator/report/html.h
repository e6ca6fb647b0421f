// HTML building blocks for the report. Every byte that came from a server (banners, versions,
// certificate subjects, error texts) passes escape() before it reaches the page, in text and in
// attributes alike, so no server can add markup or script to the report.
#pragma once

#include "aggregator/report/tables.h"

#include <string>
#include <string_view>
#include <vector>

namespace eo::aggregator::report {

// &, <, >, " and ' as entities; invalid UTF-8 as U+FFFD.
std::string escape(std::string_view text);

// "2026-11-21 11:35:00 UTC" from microseconds since the epoch.
std::string utc_time(std::int64_t micros);
// A real with `digits` decimals ("0.250").
std::string fixed(double value, int digits);
std::string percent(double share);

// One column of a sortable table: its header and how to render a row's cell. `sort` is the
// cell's sort key when it is numeric (data-sort), empty to sort by its text.
struct HtmlCell {
  std::string html;  // already escaped
  std::string sort;
};

class HtmlTable {
 public:
  // `id` names the table in the page (the browser test finds tables by it).
  HtmlTable(std::string id, std::vector<std::string> headers);
  void add_row(std::vector<HtmlCell> cells);
  bool empty() const { return rows_.empty(); }
  // A sortable <table>, or `<p class="none">none</p>` when it has no rows.
  std::string render() const;

 private:
  std::string id_;
  std::vector<std::string> headers_;
  std::vector<std::vector<HtmlCell>> rows_;
};

// Helpers for the usual cells.
HtmlCell text_cell(std::string_view text);
HtmlCell number_cell(std::int64_t value);
HtmlCell real_cell(double value, int digits);
// A p- or q-value: three significant digits, so 7e-06 stays 7e-06.
HtmlCell probability_cell(const Cell& cell);
// A table cell as the database holds it (numbers sortable, NULL empty).
HtmlCell cell_of(const Cell& cell, int digits = 3);
// Evidence ids (a JSON array of strings, or any JSON holding them) as a count that opens to the
// full list: every number in the report can be traced to the observations behind it.
HtmlCell evidence_cell(std::string_view evidence_json);

}  // namespace eo::aggregator::report
