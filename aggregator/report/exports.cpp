#include "aggregator/report/exports.h"

namespace eo::aggregator::report {

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string to_csv(const Table& table) {
  std::string out;
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    out += (i ? "," : "") + csv_field(table.columns[i]);
  }
  out += "\r\n";
  for (const auto& row : table.rows) {
    for (std::size_t i = 0; i < row.size(); ++i) out += (i ? "," : "") + csv_field(row[i].text);
    out += "\r\n";
  }
  return out;
}

nlohmann::json to_json(const Table& table) {
  auto rows = nlohmann::json::array();
  for (const auto& row : table.rows) {
    auto object = nlohmann::json::object();
    for (std::size_t i = 0; i < row.size(); ++i) {
      const Cell& cell = row[i];
      auto& value = object[table.columns[i]];
      switch (cell.kind) {
        case Cell::Kind::null:
          value = nullptr;
          break;
        case Cell::Kind::integer:
          value = cell.integer;
          break;
        case Cell::Kind::real:
          value = cell.real;
          break;
        case Cell::Kind::text:
          value = cell.text;
          break;
      }
    }
    rows.push_back(std::move(object));
  }
  return rows;
}

nlohmann::json to_json(const Tables& tables) {
  auto out = nlohmann::json::object();
  for (const auto& [name, table] : tables) out[name] = to_json(table);
  return out;
}

}  // namespace eo::aggregator::report
