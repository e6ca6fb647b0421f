// Checks on method arguments from untrusted clients, mirroring how the emulated servers read them.
#include "honeypot/server/params.h"

#include <algorithm>
#include <array>
#include <charconv>

namespace eo::honeypot::server {

namespace {

// Plain comparisons rather than <cctype>: no locale lookups on the per-request path.
bool hex_digit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Each byte's lowercase hex digit, or 0 when the byte is not a hex digit.
constexpr std::array<char, 256> kLowerHex = [] {
  std::array<char, 256> table{};
  for (char c = '0'; c <= '9'; ++c) table[static_cast<unsigned char>(c)] = c;
  for (char c = 'a'; c <= 'f'; ++c) {
    table[static_cast<unsigned char>(c)] = c;
    table[static_cast<unsigned char>(c - 'a' + 'A')] = c;
  }
  return table;
}();

}  // namespace

bool is_hex(std::string_view text, bool allow_odd_length) {
  if (!allow_odd_length && text.size() % 2 != 0) return false;
  return std::all_of(text.begin(), text.end(), hex_digit);
}

std::optional<std::string> hash_arg(const nlohmann::json& value) {
  if (!value.is_string()) return std::nullopt;
  const auto& s = value.get_ref<const std::string&>();
  if (s.size() != 64) return std::nullopt;
  // Checked and lowered in one table-driven pass: this runs twice for every scripthash call
  // (the method, then the event), and a wallet's requests are mostly those.
  std::string lower(64, '\0');
  char* out = lower.data();
  for (std::size_t i = 0; i < 64; ++i) {
    const char c = kLowerHex[static_cast<unsigned char>(s[i])];
    if (c == 0) return std::nullopt;
    out[i] = c;
  }
  return lower;
}

std::optional<std::int64_t> non_negative_arg(const nlohmann::json& value) {
  std::int64_t v = -1;
  if (value.is_number_unsigned()) {
    const auto u = value.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    v = static_cast<std::int64_t>(u);
  } else if (value.is_number_integer()) {
    v = value.get<std::int64_t>();
  } else if (value.is_string()) {
    const auto& s = value.get_ref<const std::string&>();
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  } else {
    return std::nullopt;
  }
  if (v < 0) return std::nullopt;
  return v;
}

namespace {

std::string cut_at_200(std::string text) {
  if (text.size() > 200) {
    std::size_t cut = 200;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xc0) == 0x80) --cut;
    text.resize(cut);
    text.append("...");
  }
  return text;
}

void python_repr(const nlohmann::json& value, std::string& out, int depth) {
  if (depth > 32 || out.size() > 400) {  // deep or long enough for a cut at 200
    out += "...";
    return;
  }
  switch (value.type()) {
    case nlohmann::json::value_t::null:
      out += "None";
      return;
    case nlohmann::json::value_t::boolean:
      out += value.get<bool>() ? "True" : "False";
      return;
    case nlohmann::json::value_t::string: {
      const auto& text = value.get_ref<const std::string&>();
      const char quote =
          text.find('\'') != std::string::npos && text.find('"') == std::string::npos ? '"' : '\'';
      out += quote;
      for (char c : text) {
        if (c == quote || c == '\\') out += '\\';
        out += c;
      }
      out += quote;
      return;
    }
    case nlohmann::json::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& item : value) {
        if (!first) out += ", ";
        first = false;
        python_repr(item, out, depth + 1);
      }
      out += ']';
      return;
    }
    case nlohmann::json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, item] : value.items()) {
        if (!first) out += ", ";
        first = false;
        python_repr(nlohmann::json(key), out, depth + 1);
        out += ": ";
        python_repr(item, out, depth + 1);
      }
      out += '}';
      return;
    }
    default:
      out += value.dump();
      return;
  }
}

}  // namespace

std::string value_text(const nlohmann::json& value) {
  return cut_at_200(value.is_string()
                        ? value.get<std::string>()
                        : value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

std::string python_value_text(const nlohmann::json& value) {
  if (value.is_string()) return cut_at_200(value.get<std::string>());
  std::string out;
  python_repr(value, out, 0);
  return cut_at_200(std::move(out));
}

std::string with_commas(std::int64_t value) {
  // The magnitude in unsigned arithmetic: -INT64_MIN does not fit in an int64.
  const auto magnitude = static_cast<std::uint64_t>(value);
  std::string digits = std::to_string(value < 0 ? 0 - magnitude : magnitude);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return value < 0 ? "-" + out : out;
}

}  // namespace eo::honeypot::server
