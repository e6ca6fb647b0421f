#include "aggregator/report/html.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <ctime>

namespace eo::aggregator::report {

namespace {

// Every string in a JSON value, depth first: evidence lists nest ids in objects.
void collect_strings(const nlohmann::json& value, std::vector<std::string>& out) {
  if (value.is_string()) {
    out.push_back(value.get<std::string>());
  } else if (value.is_structured()) {
    for (const auto& item : value) collect_strings(item, out);
  }
}

}  // namespace

std::string escape(std::string_view text) {
  std::string valid = valid_utf8(text);
  std::string out;
  out.reserve(valid.size());
  for (char c : valid) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string utc_time(std::int64_t micros) {
  std::time_t seconds = static_cast<std::time_t>(micros / 1000000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return text;
}

std::string fixed(double value, int digits) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", digits, value);
  return text;
}

std::string percent(double share) { return fixed(share * 100, 1) + "%"; }

HtmlTable::HtmlTable(std::string id, std::vector<std::string> headers)
    : id_(std::move(id)), headers_(std::move(headers)) {}

void HtmlTable::add_row(std::vector<HtmlCell> cells) { rows_.push_back(std::move(cells)); }

std::string HtmlTable::render() const {
  if (rows_.empty()) return "<p class=\"none\" id=\"" + escape(id_) + "\">none</p>\n";
  std::string out =
      "<div class=\"scroll\"><table class=\"sortable\" id=\"" + escape(id_) + "\">\n<thead><tr>";
  for (const auto& h : headers_) out += "<th>" + escape(h) + "</th>";
  out += "</tr></thead>\n<tbody>\n";
  for (const auto& row : rows_) {
    out += "<tr>";
    for (const auto& cell : row) {
      out += cell.sort.empty() ? "<td>" : "<td data-sort=\"" + escape(cell.sort) + "\">";
      out += cell.html + "</td>";
    }
    out += "</tr>\n";
  }
  return out + "</tbody></table></div>\n";
}

HtmlCell text_cell(std::string_view text) { return {escape(text), ""}; }

HtmlCell number_cell(std::int64_t value) { return {std::to_string(value), std::to_string(value)}; }

HtmlCell real_cell(double value, int digits) {
  char sort[64];
  std::snprintf(sort, sizeof sort, "%.17g", value);
  return {fixed(value, digits), sort};
}

HtmlCell probability_cell(const Cell& cell) {
  if (cell.kind != Cell::Kind::real && cell.kind != Cell::Kind::integer) return cell_of(cell);
  double value = cell.kind == Cell::Kind::real ? cell.real : double(cell.integer);
  char text[32], sort[64];
  std::snprintf(text, sizeof text, "%.3g", value);
  std::snprintf(sort, sizeof sort, "%.17g", value);
  return {text, sort};
}

HtmlCell cell_of(const Cell& cell, int digits) {
  switch (cell.kind) {
    case Cell::Kind::null:
      return {"", ""};
    case Cell::Kind::integer:
      return number_cell(cell.integer);
    case Cell::Kind::real:
      return real_cell(cell.real, digits);
    case Cell::Kind::text:
      return text_cell(cell.text);
  }
  return {"", ""};
}

HtmlCell evidence_cell(std::string_view evidence_json) {
  auto parsed = nlohmann::json::parse(evidence_json, nullptr, false);
  std::vector<std::string> ids;
  if (parsed.is_discarded()) {
    if (!evidence_json.empty()) ids.emplace_back(evidence_json);
  } else {
    collect_strings(parsed, ids);
  }
  if (ids.empty()) return {"", "0"};
  std::string html = "<details class=\"evidence\"><summary>" + std::to_string(ids.size()) +
                     (ids.size() == 1 ? " id" : " ids") + "</summary><code>";
  for (std::size_t i = 0; i < ids.size(); ++i) html += (i ? " " : "") + escape(ids[i]);
  return {html + "</code></details>", std::to_string(ids.size())};
}

}  // namespace eo::aggregator::report
