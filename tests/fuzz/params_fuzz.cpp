// libFuzzer target for the honeypot's method-argument checks (honeypot/server/params): a client's
// params array, parsed as the dispatcher parses it, each element through every check.
//
// Checked on every input: no crash or sanitizer report; a hash argument comes back as the same 64
// hex digits in lowercase; a non-negative argument is >= 0 and, from a digit string, reads back
// as that string's number; error texts stay within 200 bytes plus "..."; with_commas keeps the
// digits and the sign.
#include "honeypot/server/params.h"
#include "tests/fuzz/fuzz_check.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace {

using namespace eo::honeypot::server;
using Json = nlohmann::json;

void check_text(const std::string& text) {
  FUZZ_CHECK(text.size() <= 203);
  if (text.size() > 200) FUZZ_CHECK(text.ends_with("..."));
}

void check_arg(const Json& value) {
  if (const auto hash = hash_arg(value)) {
    const auto& s = value.get_ref<const std::string&>();
    FUZZ_CHECK(hash->size() == 64 && is_hex(*hash));
    for (std::size_t i = 0; i < 64; ++i) {
      const char c = s[i];
      FUZZ_CHECK((*hash)[i] == ((c >= 'A' && c <= 'F') ? c - 'A' + 'a' : c));
    }
  }
  if (const auto n = non_negative_arg(value)) {
    FUZZ_CHECK(*n >= 0);
    if (value.is_string()) {
      std::string_view s = value.get_ref<const std::string&>();
      if (s.starts_with('-')) {  // "-0" and "-000" are zero, as Python's int() reads them
        FUZZ_CHECK(*n == 0);
        s.remove_prefix(1);
      }
      while (s.size() > 1 && s.front() == '0') s.remove_prefix(1);
      FUZZ_CHECK(std::to_string(*n) == s);
    }
  }
  check_text(value_text(value));
  check_text(python_value_text(value));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size >= 8) {
    std::int64_t v = 0;
    std::memcpy(&v, data, 8);
    const std::string text = with_commas(v);
    std::string digits;
    for (const char c : text) {
      if (c != ',') digits.push_back(c);
    }
    FUZZ_CHECK(digits == std::to_string(v));
  }
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  is_hex(text, true);
  const Json params = Json::parse(text, nullptr, false);
  if (params.is_discarded()) return 0;
  check_arg(params);
  if (params.is_array()) {
    for (const Json& value : params) check_arg(value);
  }
  return 0;
}
