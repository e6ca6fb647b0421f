// The scanner follows JSON's lexical rules only as far as needed to skip values: strings (with
// backslash escapes) and bracket depth. Keys are compared as written (ours have no escapes).
#include "aggregator/results/json_scan.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>

namespace eo::aggregator::results {

namespace {

class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  bool at(char c) {
    space();
    return pos_ < text_.size() && text_[pos_] == c;
  }
  bool take(char c) {
    if (!at(c)) return false;
    ++pos_;
    return true;
  }
  // A string token's contents (between the quotes, as written).
  std::optional<std::string_view> string() {
    if (!at('"')) return std::nullopt;
    std::size_t end = string_end(text_, pos_);
    if (end == std::string_view::npos) return std::nullopt;
    std::size_t start = pos_ + 1;
    pos_ = end + 1;
    return text_.substr(start, end - start);
  }
  // Skips one value; returns its text.
  std::optional<std::string_view> value() {
    space();
    std::size_t start = pos_;
    if (at('"')) {
      if (!string()) return std::nullopt;
    } else if (at('{') || at('[')) {
      std::size_t depth = 0;
      do {
        char c = text_[pos_];
        if (c == '"') {
          if (!string()) return std::nullopt;
          continue;
        }
        if (c == '{' || c == '[') ++depth;
        if (c == '}' || c == ']') --depth;
        ++pos_;
      } while (depth > 0 && pos_ < text_.size());
      if (depth > 0) return std::nullopt;
    } else {
      while (pos_ < text_.size() && !ends_scalar(text_[pos_])) ++pos_;
      if (pos_ == start) return std::nullopt;
    }
    return text_.substr(start, pos_ - start);
  }

 private:
  void space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' ||
                                   text_[pos_] == '\r' || text_[pos_] == '\t')) {
      ++pos_;
    }
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

// Calls on_member(key token, value text) for each member until it returns true; false when the
// text is not an object or is malformed before that.
template <typename OnMember>
bool scan_members(std::string_view object_json, OnMember on_member) {
  Scanner s(object_json);
  if (!s.take('{')) return false;
  if (s.take('}')) return true;
  for (;;) {
    auto name = s.string();
    if (!name || !s.take(':')) return false;
    auto value = s.value();
    if (!value) return false;
    // The token with its quotes: string() stopped just past the closing one.
    if (on_member(std::string_view(name->data() - 1, name->size() + 2), *value)) return true;
    if (s.take('}')) return true;
    if (!s.take(',')) return false;
  }
}

}  // namespace

std::size_t string_end(std::string_view text, std::size_t open) {
  const char* const begin = text.data();
  const char* const end = begin + text.size();
  const char* p = begin + open + 1;
  while (p < end) {
    auto* quote = static_cast<const char*>(std::memchr(p, '"', static_cast<std::size_t>(end - p)));
    if (!quote) return std::string_view::npos;
    auto* escape =
        static_cast<const char*>(std::memchr(p, '\\', static_cast<std::size_t>(quote - p)));
    if (!escape) return static_cast<std::size_t>(quote - begin);
    p = escape + 2;  // the escaped character, a quote perhaps, is not the end
  }
  return std::string_view::npos;
}

std::optional<std::string_view> member_text(std::string_view object_json, std::string_view key) {
  std::optional<std::string_view> found;
  scan_members(object_json, [&](std::string_view name, std::string_view value) {
    if (name.substr(1, name.size() - 2) != key) return false;
    found = value;
    return true;
  });
  return found;
}

std::optional<std::vector<Member>> members(std::string_view object_json) {
  std::vector<Member> out;
  if (!scan_members(object_json, [&](std::string_view name, std::string_view value) {
        out.emplace_back(name, value);
        return false;
      })) {
    return std::nullopt;
  }
  return out;
}

std::optional<std::string> string_value(std::string_view token) {
  if (token.size() < 2 || token.front() != '"' || token.back() != '"') return std::nullopt;
  std::string_view inner = token.substr(1, token.size() - 2);
  // The common case needs no decoder: printable ASCII without escapes stands for itself.
  if (std::all_of(inner.begin(), inner.end(),
                  [](char c) { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'; })) {
    return std::string(inner);
  }
  // nlohmann reads a NUL byte as the end of its input, so "a"<NUL>" would pass as the string "a";
  // JSON allows no raw control character in a string, a NUL least of all.
  if (inner.find('\0') != std::string_view::npos) return std::nullopt;
  auto parsed = nlohmann::json::parse(token, nullptr, false);
  if (!parsed.is_string()) return std::nullopt;
  return parsed.get<std::string>();
}

}  // namespace eo::aggregator::results
