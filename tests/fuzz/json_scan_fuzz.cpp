// libFuzzer target for the aggregator's one-pass JSON scanner (aggregator/results/json_scan), a
// differential test against a full parse (nlohmann): ingest reads result_json members with the
// scanner, and must read what a full parser reads.
//
// Checked on every input: no crash or sanitizer report on any text (ingest scans results it has
// not validated); for text nlohmann accepts as an object: members() lists every member in written
// order, each key token decodes (string_value) to nlohmann's key, each value text parses to
// nlohmann's value for that key, and member_text finds the first member of a key written without
// escapes; string_value agrees with nlohmann on any string token.
#include "aggregator/results/json_scan.h"
#include "tests/fuzz/fuzz_check.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

namespace {

using namespace eo::aggregator::results;
using Json = nlohmann::json;

// The full parse, strict: nlohmann stops at a NUL byte as at the end of its input (a text
// "x"<NUL>garbage parses as "x"), where JSON allows no NUL outside an escape.
Json full_parse(std::string_view text) {
  if (text.find('\0') != std::string_view::npos) return Json(Json::value_t::discarded);
  return Json::parse(text, nullptr, false);
}

void check_string_token(std::string_view token) {
  const Json full = full_parse(token);
  const auto scanned = string_value(token);
  FUZZ_CHECK(scanned.has_value() == full.is_string());
  if (scanned) FUZZ_CHECK(*scanned == full.get_ref<const std::string&>());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto scanned = members(text);
  member_text(text, "result");
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {  // a token, no spaces
    check_string_token(text);
    FUZZ_CHECK(string_end(text, 0) == std::string_view::npos || string_end(text, 0) < size);
  }
  const Json full = full_parse(text);
  if (!full.is_object()) return 0;
  FUZZ_CHECK(scanned.has_value());
  std::set<std::string> keys;
  for (const auto& [token, value] : *scanned) {
    check_string_token(token);
    const auto key = string_value(token);
    FUZZ_CHECK(key && full.contains(*key));
    const bool first = keys.insert(*key).second;
    // nlohmann keeps the last of duplicate keys, member_text the first.
    const auto raw = token.substr(1, token.size() - 2);
    if (first && raw.find('\\') == std::string_view::npos) {
      const auto found = member_text(text, raw);
      FUZZ_CHECK(found && found->data() == value.data() && found->size() == value.size());
    }
    FUZZ_CHECK(!full_parse(value).is_discarded());
  }
  FUZZ_CHECK(keys.size() == full.size());
  // With no duplicate, each scanned value is the full parse's.
  if (keys.size() == scanned->size()) {
    for (const auto& [token, value] : *scanned) {
      FUZZ_CHECK(full_parse(value) == full[*string_value(token)]);
    }
  }
  return 0;
}
