// One member of a JSON object found by scanning its text, without parsing the rest: ingest parses
// only the few members its derived columns need (a metadata result is mostly peers and headers).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace eo::aggregator::results {

// The raw text of the value of `key` in the top-level object `object_json`; nullopt when the
// text is not an object, has no such key, or is malformed before the key is found.
std::optional<std::string_view> member_text(std::string_view object_json, std::string_view key);

// The position of the quote that closes the string token opening at text[open] (a quote),
// backslash escapes skipped; npos when the text ends first. Searches with memchr: most strings
// have no escape, and ingest crosses every string of every result.
std::size_t string_end(std::string_view text, std::size_t open);

// Whether c ends a number or literal token: a structural character or white space.
inline bool ends_scalar(char c) {
  return c == ',' || c == ']' || c == '}' || c == ':' || c == ' ' || c == '\n' || c == '\r' ||
         c == '\t';
}

// Every member of the top-level object `object_json` in written order, as (key token, value
// text) with the key's quotes kept; nullopt when the text is not an object or is malformed.
// Does not validate the values it skips: check the text with nlohmann::json::accept first.
using Member = std::pair<std::string_view, std::string_view>;
std::optional<std::vector<Member>> members(std::string_view object_json);

// The string that a JSON string token (quotes included) stands for, escapes resolved; nullopt
// when the token is not a valid JSON string.
std::optional<std::string> string_value(std::string_view token);

}  // namespace eo::aggregator::results
