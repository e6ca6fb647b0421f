#include "aggregator/report/tables.h"

#include <algorithm>
#include <set>
#include <string>
#include <utility>

namespace eo::aggregator::report {

namespace {

// Not analyses: the ingested facts, and findings_published (when each finding went out on
// findings.v1: wall-clock bookkeeping, so two databases with the same observations differ there).
const std::set<std::string> kNotAnalysis = {"observations", "honeypot_events", "malformed",
                                            "findings_published"};

std::string quoted(const std::string& identifier) {
  std::string out = "\"";
  for (char c : identifier) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// Length of the valid UTF-8 sequence at s[i], 0 when it is not one (overlongs, surrogates and
// code points past U+10FFFF included).
std::size_t utf8_length(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  if (c < 0x80) return 1;
  std::size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
  if (n == 0 || c > 0xF4 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  unsigned char d = byte(i + 1);
  if (c == 0xE0 && d < 0xA0) return 0;
  if (c == 0xED && d >= 0xA0) return 0;
  if (c == 0xF0 && d < 0x90) return 0;
  if (c == 0xF4 && d >= 0x90) return 0;
  return n;
}

}  // namespace

int Table::column(const std::string& name) const {
  auto it = std::find(columns.begin(), columns.end(), name);
  return it == columns.end() ? -1 : static_cast<int>(it - columns.begin());
}

const Cell& Table::at(const std::vector<Cell>& row, const std::string& name) const {
  static const Cell kNull;
  int i = column(name);
  return i < 0 ? kNull : row[static_cast<std::size_t>(i)];
}

std::vector<std::string> analysis_table_names(results::Database& db) {
  std::vector<std::string> names;
  auto st = db.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
      "ORDER BY name");
  while (st.step()) {
    if (!kNotAnalysis.count(st.text(0))) names.push_back(st.text(0));
  }
  return names;
}

Table read_table(results::Database& db, const std::string& name) {
  Table table;
  table.name = name;
  std::vector<Cell::Kind> kinds;
  std::vector<std::pair<int, std::string>> key;
  {
    auto info = db.prepare("SELECT name, upper(type), pk FROM pragma_table_info(?) ORDER BY cid");
    info.bind(1, name);
    while (info.step()) {
      table.columns.push_back(info.text(0));
      std::string type = info.text(1);
      kinds.push_back(type.find("INT") != std::string::npos ? Cell::Kind::integer
                      : type == "REAL"                      ? Cell::Kind::real
                                                            : Cell::Kind::text);
      if (info.i64(2) > 0) key.emplace_back(static_cast<int>(info.i64(2)), info.text(0));
    }
  }
  std::sort(key.begin(), key.end());
  std::string order;
  for (const auto& [_, column] : key) order += (order.empty() ? "" : ", ") + quoted(column);
  if (order.empty()) {
    for (const auto& column : table.columns) order += (order.empty() ? "" : ", ") + quoted(column);
  }
  auto st = db.prepare("SELECT * FROM " + quoted(name) + " ORDER BY " + order);
  while (st.step()) {
    std::vector<Cell> row(table.columns.size());
    for (std::size_t i = 0; i < row.size(); ++i) {
      int col = static_cast<int>(i);
      Cell& cell = row[i];
      if (st.is_null(col)) continue;
      cell.text = valid_utf8(st.text(col));
      cell.kind = kinds[i];
      // A value that does not fit its declared type (SQLite types values, not columns) is text.
      try {
        if (cell.kind == Cell::Kind::integer) {
          std::size_t used = 0;
          cell.integer = std::stoll(cell.text, &used);
          if (used != cell.text.size()) cell.kind = Cell::Kind::text;
        } else if (cell.kind == Cell::Kind::real) {
          std::size_t used = 0;
          cell.real = std::stod(cell.text, &used);
          if (used != cell.text.size()) cell.kind = Cell::Kind::text;
        }
      } catch (const std::exception&) {
        cell.kind = Cell::Kind::text;
      }
    }
    table.rows.push_back(std::move(row));
  }
  return table;
}

Tables read_analysis_tables(results::Database& db) {
  Tables tables;
  for (const auto& name : analysis_table_names(db)) tables[name] = read_table(db, name);
  return tables;
}

std::string valid_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (std::size_t i = 0; i < bytes.size();) {
    std::size_t n = utf8_length(bytes, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(bytes.substr(i, n));
      i += n;
    }
  }
  return out;
}

}  // namespace eo::aggregator::report
