// Byte-buffer and fixed-size hash types shared by every Bitcoin encoding in this module.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace eo::bitcoin {

using Bytes = std::vector<std::uint8_t>;
// A read-only view of bytes; Bytes and std::array convert to it implicitly.
using ByteSpan = std::span<const std::uint8_t>;

// Hashes are kept in internal byte order (the order the hash function produced them); Bitcoin
// user interfaces and Electrum display them byte-reversed (see hex.h).
using Hash256 = std::array<std::uint8_t, 32>;
using Hash160 = std::array<std::uint8_t, 20>;

// A compressed SEC1 public key (0x02/0x03 prefix + x) and a BIP340 x-only public key.
using CompressedPubKey = std::array<std::uint8_t, 33>;
using XOnlyPubKey = std::array<std::uint8_t, 32>;

}  // namespace eo::bitcoin
