// Writes reply lines byte for byte like the emulated implementation: envelope key order, value
// key order, spacing and line terminator. Results are built as JSON text, never as a JSON tree,
// so a reply costs one pass of appends.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace eo::honeypot::server {

using Json = nlohmann::json;

enum class Layout {
  electrumx,  // compact, keys in Python insertion order: {"jsonrpc":"2.0","result":R,"id":N}
  sorted,     // compact, keys sorted (electrs' serde, Fulcrum's Qt maps): {"id":N,"jsonrpc":...}
  python,     // json.dumps defaults (EPS): ", " and ": " separators, ASCII-only, insertion order
};

std::string_view to_string(Layout layout);
std::optional<Layout> parse_layout(std::string_view name);

struct WireStyle {
  Layout layout = Layout::electrumx;
  bool crlf = false;
  std::string_view terminator() const { return crlf ? "\r\n" : "\n"; }
};

// A JSON string literal for `text`; ill-formed UTF-8 becomes U+FFFD. The python layout escapes
// every non-ASCII character as json.dumps does.
void append_json_string(std::string& out, std::string_view text, Layout layout);
std::string json_string(std::string_view text, Layout layout);

// Integers as integers; other numbers as the shortest text that reads back the same double.
std::string json_number(double value);

// Any JSON value (ids, configured values) in the layout's spacing; nlohmann sorts object keys.
std::string json_value(const Json& value, Layout layout);

// One JSON object from fields given in the emulated implementation's insertion order; the
// sorted layout reorders them by key. Keys are not copied: they must outlive the builder.
class ObjectText {
 public:
  explicit ObjectText(Layout layout) : layout_(layout) { fields_.reserve(8); }
  ObjectText& add(std::string_view key, std::string value_json);
  std::string str() const;

 private:
  Layout layout_;
  std::vector<std::pair<std::string_view, std::string>> fields_;
};

// "[a,b]" (or "[a, b]" in the python layout) from JSON texts.
std::string array_text(std::span<const std::string> items, Layout layout);

// Bodies, without terminator. A missing code leaves "code" out (EPS sends bare messages).
std::string result_body(const WireStyle& style, const Json& id, std::string_view result_json);
std::string error_body(const WireStyle& style, const Json& id, std::optional<std::int64_t> code,
                       std::string_view message);
std::string notification_body(const WireStyle& style, std::string_view method,
                              std::string_view params_json);

// A body plus the style's terminator; a batch reply of bodies plus terminator.
std::string finish_line(std::string body, const WireStyle& style);
std::string batch_line(std::span<const std::string> bodies, const WireStyle& style);

}  // namespace eo::honeypot::server
