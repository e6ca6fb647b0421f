// One member of a JSON object found by scanning its text, without parsing the rest: ingest parses
// only the few members its derived columns need (a metadata result is mostly peers and headers).
#pragma once

#include <optional>
#include <string_view>

namespace eo::aggregator::results {

// The raw text of the value of `key` in the top-level object `object_json`; nullopt when the
// text is not an object, has no such key, or is malformed before the key is found.
std::optional<std::string_view> member_text(std::string_view object_json, std::string_view key);

}  // namespace eo::aggregator::results
