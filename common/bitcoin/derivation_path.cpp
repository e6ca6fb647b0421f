// Strict derivation-path parsing: configuration and test input, so reject rather than guess.
#include "common/bitcoin/derivation_path.h"

namespace eo::bitcoin {

std::optional<std::vector<std::uint32_t>> parse_derivation_path(std::string_view path) {
  if (path == "m" || path.empty()) return std::vector<std::uint32_t>{};
  if (path.starts_with("m/")) path.remove_prefix(2);

  std::vector<std::uint32_t> out;
  while (true) {
    const auto slash = path.find('/');
    std::string_view part = path.substr(0, slash);
    bool hardened = false;
    if (!part.empty() && (part.back() == '\'' || part.back() == 'h' || part.back() == 'H')) {
      hardened = true;
      part.remove_suffix(1);
    }
    if (part.empty() || part.size() > 10) return std::nullopt;
    std::uint64_t value = 0;
    for (char c : part) {
      if (c < '0' || c > '9') return std::nullopt;
      value = value * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (value >= hardened_offset) return std::nullopt;
    out.push_back(static_cast<std::uint32_t>(value) + (hardened ? hardened_offset : 0));
    if (out.size() > 255) return std::nullopt;
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

std::string format_derivation_path(const std::vector<std::uint32_t>& path) {
  std::string out = "m";
  for (std::uint32_t index : path) {
    out += '/';
    out += std::to_string(is_hardened(index) ? index - hardened_offset : index);
    if (is_hardened(index)) out += '\'';
  }
  return out;
}

}  // namespace eo::bitcoin
