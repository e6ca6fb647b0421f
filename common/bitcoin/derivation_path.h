// BIP32 derivation paths as text ("m/86'/0'/0'/0/5", "0/5") and as child indexes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eo::bitcoin {

// Child indexes at or above this are hardened; "5'" or "5h" means hardened_offset + 5.
inline constexpr std::uint32_t hardened_offset = 0x80000000;

inline constexpr bool is_hardened(std::uint32_t index) { return index >= hardened_offset; }

// Parses an optional leading "m" or "m/", then '/'-separated decimal indexes below 2^31, each
// optionally followed by ', h or H. "" and "m" are the empty path. nullopt on anything else
// (empty components, signs, spaces, overflow) or more than 255 components.
std::optional<std::vector<std::uint32_t>> parse_derivation_path(std::string_view path);

// "m/86'/0'/0'/0/5" form of a path.
std::string format_derivation_path(const std::vector<std::uint32_t>& path);

}  // namespace eo::bitcoin
