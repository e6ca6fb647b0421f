// Test helper: hex literals to bytes (aborts the test binary on a typo in a vector).
#pragma once

#include "common/bitcoin/bytes.h"
#include "common/bitcoin/hex.h"

#include <algorithm>
#include <cstdlib>
#include <string_view>

namespace eo::bitcoin::testing {

inline Bytes unhex(std::string_view hex) {
  auto bytes = from_hex(hex);
  if (!bytes) std::abort();
  return *bytes;
}

template <std::size_t N>
std::array<std::uint8_t, N> unhex_array(std::string_view hex) {
  const Bytes bytes = unhex(hex);
  if (bytes.size() != N) std::abort();
  std::array<std::uint8_t, N> out{};
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return out;
}

inline ByteSpan as_bytes(std::string_view text) {
  return ByteSpan(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
}

}  // namespace eo::bitcoin::testing
