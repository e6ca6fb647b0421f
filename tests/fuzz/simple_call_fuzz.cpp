// libFuzzer target for the honeypot's request-line shortcut (honeypot/server/simple_call), a
// differential test against the full parser: whenever parse_simple_call answers, it answers what
// electrum::parse_line gives for the same line (same alternative, method, id and params, with the
// same JSON number types), so the dispatcher behaves as if only parse_line existed.
#include "common/electrum/message.h"
#include "honeypot/server/simple_call.h"
#include "tests/fuzz/fuzz_check.h"

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

namespace {

using namespace eo;
using Json = nlohmann::json;

// Equal values of equal JSON types all the way down (nlohmann's == calls 1 and 1u equal).
bool same(const Json& a, const Json& b) {
  if (a.type() != b.type()) return false;
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!same(a[i], b[i])) return false;
    }
    return true;
  }
  return a == b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  const auto simple = honeypot::server::parse_simple_call(line);
  if (!simple) return 0;
  const electrum::ParsedLine full = electrum::parse_line(line);
  FUZZ_CHECK(!full.shape.batch);
  FUZZ_CHECK(simple->index() == full.message.index());
  if (const auto* r = std::get_if<electrum::Request>(&*simple)) {
    const auto& f = std::get<electrum::Request>(full.message);
    FUZZ_CHECK(r->method == f.method && same(r->id, f.id) && same(r->params, f.params));
  } else {
    const auto* n = std::get_if<electrum::Notification>(&*simple);
    FUZZ_CHECK(n != nullptr);
    const auto& f = std::get<electrum::Notification>(full.message);
    FUZZ_CHECK(n->method == f.method && same(n->params, f.params));
  }
  return 0;
}
