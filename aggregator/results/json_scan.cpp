// The scanner follows JSON's lexical rules only as far as needed to skip values: strings (with
// backslash escapes) and bracket depth. Keys are compared as written (ours have no escapes).
#include "aggregator/results/json_scan.h"

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
    std::size_t start = ++pos_;
    while (pos_ < text_.size() && text_[pos_] != '"') pos_ += text_[pos_] == '\\' ? 2 : 1;
    if (pos_ >= text_.size()) return std::nullopt;
    return text_.substr(start, pos_++ - start);
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
      while (pos_ < text_.size() && std::string_view(",]} \n\r\t").find(text_[pos_]) ==
                                        std::string_view::npos) {
        ++pos_;
      }
      if (pos_ == start) return std::nullopt;
    }
    return text_.substr(start, pos_ - start);
  }

 private:
  void space() {
    while (pos_ < text_.size() && std::string_view(" \n\r\t").find(text_[pos_]) !=
                                      std::string_view::npos) {
      ++pos_;
    }
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

std::optional<std::string_view> member_text(std::string_view object_json, std::string_view key) {
  Scanner s(object_json);
  if (!s.take('{') || s.take('}')) return std::nullopt;
  for (;;) {
    auto name = s.string();
    if (!name || !s.take(':')) return std::nullopt;
    auto value = s.value();
    if (!value) return std::nullopt;
    if (*name == key) return value;
    if (!s.take(',')) return std::nullopt;
  }
}

}  // namespace eo::aggregator::results
