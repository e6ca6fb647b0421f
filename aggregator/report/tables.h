// The analysis tables of a results database read as plain values, so one reader feeds the HTML,
// the CSV and the JSON exports and they cannot disagree. Rows come in primary-key order, so the
// same database always gives the same tables.
#pragma once

#include "aggregator/results/sqlite.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace eo::aggregator::report {

struct Cell {
  enum class Kind { null, integer, real, text };
  Kind kind = Kind::null;
  std::string text;  // SQLite's own text of the value ("" for NULL): what CSV writes
  std::int64_t integer = 0;
  double real = 0;
};

struct Table {
  std::string name;
  std::vector<std::string> columns;
  std::vector<std::vector<Cell>> rows;

  // Index of a column, or -1.
  int column(const std::string& name) const;
  // A row's cell by column name; a NULL cell when the column is missing.
  const Cell& at(const std::vector<Cell>& row, const std::string& name) const;
};

using Tables = std::map<std::string, Table>;

// Every table but the ingested data (observations, honeypot_events, malformed) and the findings.v1
// bookkeeping (findings_published): the analysis tables of whatever schema version the database
// has, sorted by name.
std::vector<std::string> analysis_table_names(results::Database& db);

// The whole table, every column, in primary-key order (all columns when it has no key).
Table read_table(results::Database& db, const std::string& name);

Tables read_analysis_tables(results::Database& db);

// Text from a hostile peer made valid UTF-8: each invalid byte becomes U+FFFD.
std::string valid_utf8(std::string_view bytes);

}  // namespace eo::aggregator::report
