// Base58 and Base58Check (legacy addresses, WIF, BIP32 extended keys).
#pragma once

#include "common/bitcoin/bytes.h"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace eo::bitcoin {

// Longest string base58_decode accepts: decoding is quadratic, so untrusted input is capped
// (a BIP32 extended key is 111 characters, an address at most 35).
inline constexpr std::size_t base58_max_decode_chars = 1024;

std::string base58_encode(ByteSpan data);

// nullopt on a character outside the alphabet, or input longer than base58_max_decode_chars.
std::optional<Bytes> base58_decode(std::string_view text);

// payload || first 4 bytes of double_sha256(payload), Base58-encoded.
std::string base58check_encode(ByteSpan payload);

// Decodes and verifies the 4-byte checksum; returns the payload without it.
std::optional<Bytes> base58check_decode(std::string_view text);

}  // namespace eo::bitcoin
