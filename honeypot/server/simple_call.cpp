// The common request line read in one pass, building only the id and params values; anything
// outside the simple shape is left to electrum::parse_line (see simple_call.h).
#include "honeypot/server/simple_call.h"

#include <cstdint>
#include <string>

namespace eo::honeypot::server {
namespace {

using Json = nlohmann::json;

class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  void skip_space() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return;
      ++pos_;
    }
  }
  bool at_end() const { return pos_ == text_.size(); }
  bool eat(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }

  // A string of printable ASCII without escapes; anything else (escapes, UTF-8, control bytes,
  // no closing quote) is not simple.
  std::optional<std::string_view> plain_string() {
    if (!eat('"')) return std::nullopt;
    const std::size_t begin = pos_;
    while (pos_ < text_.size()) {
      const auto u = static_cast<unsigned char>(text_[pos_]);
      if (u == '"') return text_.substr(begin, pos_++ - begin);
      if (u < 0x20 || u > 0x7e || u == '\\') return std::nullopt;
      ++pos_;
    }
    return std::nullopt;
  }

  // An integer of at most 18 digits (no overflow to think about), typed as nlohmann types it:
  // unsigned when not negative. Fractions, exponents and leading zeros are not simple.
  std::optional<Json> integer() {
    const bool negative = eat('-');
    const std::size_t begin = pos_;
    std::uint64_t value = 0;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      value = value * 10 + static_cast<std::uint64_t>(text_[pos_] - '0');
      ++pos_;
    }
    const std::size_t digits = pos_ - begin;
    if (digits == 0 || digits > 18 || (digits > 1 && text_[begin] == '0')) return std::nullopt;
    const char next = peek();
    if (next == '.' || next == 'e' || next == 'E') return std::nullopt;
    if (negative) return Json(-static_cast<std::int64_t>(value));
    return Json(value);
  }

  bool literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  // A scalar: plain string, integer, true, false or null.
  std::optional<Json> scalar() {
    const char c = peek();
    if (c == '"') {
      const auto s = plain_string();
      if (!s) return std::nullopt;
      return Json(std::string(*s));
    }
    if (c == '-' || (c >= '0' && c <= '9')) return integer();
    if (literal("null")) return Json();
    if (literal("true")) return Json(true);
    if (literal("false")) return Json(false);
    return std::nullopt;
  }

  // null or an array of scalars.
  bool params(Json& out) {
    if (literal("null")) return true;
    if (!eat('[')) return false;
    out = Json::array();
    auto& items = out.get_ref<Json::array_t&>();
    skip_space();
    if (eat(']')) return true;
    for (;;) {
      skip_space();
      auto item = scalar();
      if (!item) return false;
      items.push_back(std::move(*item));
      skip_space();
      if (eat(']')) return true;
      if (!eat(',')) return false;
    }
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

std::optional<electrum::Message> parse_simple_call(std::string_view line) {
  Reader in(line);
  in.skip_space();
  if (!in.eat('{')) return std::nullopt;
  bool seen_jsonrpc = false;
  std::optional<std::string_view> method;
  std::optional<Json> id;
  std::optional<Json> params;
  do {
    in.skip_space();
    const auto key = in.plain_string();
    if (!key) return std::nullopt;
    in.skip_space();
    if (!in.eat(':')) return std::nullopt;
    in.skip_space();
    if (*key == "jsonrpc" && !seen_jsonrpc) {
      const auto v = in.plain_string();
      if (!v || *v != "2.0") return std::nullopt;
      seen_jsonrpc = true;
    } else if (*key == "method" && !method) {
      method = in.plain_string();
      if (!method) return std::nullopt;
    } else if (*key == "id" && !id) {
      // Numbers, strings and null are valid ids; true/false are not (parse_line says why).
      if (in.peek() == 't' || in.peek() == 'f') return std::nullopt;
      id = in.scalar();
      if (!id) return std::nullopt;
    } else if (*key == "params" && !params) {
      params.emplace();
      if (!in.params(*params)) return std::nullopt;
    } else {
      return std::nullopt;  // other keys, duplicates
    }
    in.skip_space();
  } while (in.eat(','));
  if (!in.eat('}')) return std::nullopt;
  in.skip_space();
  if (!in.at_end() || !method) return std::nullopt;
  Json p = params ? std::move(*params) : Json();
  if (!id) return electrum::Notification{std::string(*method), std::move(p)};
  return electrum::Request{std::move(*id), std::string(*method), std::move(p)};
}

}  // namespace eo::honeypot::server
