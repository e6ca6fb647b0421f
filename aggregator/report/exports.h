// The machine-readable exports: one CSV file per table (RFC 4180: CRLF records, fields quoted
// when they hold a comma, quote, CR or LF, quotes doubled; a header row; UTF-8) and one JSON
// object holding every table as an array of row objects. Both read directly into pandas
// (pandas.read_csv, pandas.DataFrame(json.load(f)[table])).
#pragma once

#include "aggregator/report/tables.h"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace eo::aggregator::report {

std::string csv_field(std::string_view text);
std::string to_csv(const Table& table);

// Integers and reals as JSON numbers, NULL as null, the rest as strings (JSON columns stay the
// text the database holds, as in the CSV).
nlohmann::json to_json(const Table& table);
nlohmann::json to_json(const Tables& tables);

}  // namespace eo::aggregator::report
