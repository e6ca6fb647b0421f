// Hex encoding with strict parsing: untrusted strings never throw, odd input yields nullopt.
#include "common/bitcoin/hex.h"

#include <algorithm>

namespace eo::bitcoin {
namespace {

constexpr char digits[] = "0123456789abcdef";

int nibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string to_hex(ByteSpan data) {
  std::string out;
  out.reserve(data.size() * 2);
  for (std::uint8_t b : data) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 0x0f]);
  }
  return out;
}

std::optional<Bytes> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  Bytes out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int hi = nibble(hex[i]);
    const int lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<std::uint8_t>((hi << 4) | lo));
  }
  return out;
}

std::string to_reversed_hex(ByteSpan data) {
  Bytes reversed(data.rbegin(), data.rend());
  return to_hex(reversed);
}

std::optional<Bytes> from_reversed_hex(std::string_view hex) {
  auto bytes = from_hex(hex);
  if (bytes) std::reverse(bytes->begin(), bytes->end());
  return bytes;
}

std::optional<Hash256> hash256_from_display_hex(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  const auto bytes = from_reversed_hex(hex);
  if (!bytes) return std::nullopt;
  Hash256 out{};
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

}  // namespace eo::bitcoin
