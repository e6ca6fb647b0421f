// Bech32 and Bech32m strings (BIP173, BIP350) and the segwit addresses built on them.
#pragma once

#include "common/bitcoin/bytes.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace eo::bitcoin {

// BIP173's limit on a whole address string.
inline constexpr std::size_t bech32_max_length = 90;

enum class Bech32Variant : std::uint8_t { bech32, bech32m };

struct Bech32Decoded {
  Bech32Variant variant = Bech32Variant::bech32;
  std::string hrp;  // lowercase
  Bytes values;     // 5-bit values of the data part, checksum removed
};

// Encodes 5-bit `values` under a lowercase `hrp`; nullopt if the hrp is empty, has characters
// outside 33..126 or uppercase, a value is >= 32, or the result would exceed 90 characters.
std::optional<std::string> bech32_encode(Bech32Variant variant, std::string_view hrp,
                                         ByteSpan values);

// Decodes and verifies a Bech32 or Bech32m string (all BIP173 rules: length, character range,
// no mixed case, non-empty hrp, six checksum characters); the checksum says which variant.
std::optional<Bech32Decoded> bech32_decode(std::string_view text);

// Regroups bits (8 -> 5 with padding to encode, 5 -> 8 without to decode). Without `pad`,
// more than from_bits-1 leftover bits or non-zero leftover bits are an error.
std::optional<Bytes> convert_bits(ByteSpan in, unsigned from_bits, unsigned to_bits, bool pad);

struct SegwitAddress {
  std::string hrp;  // lowercase, e.g. "bc", "tb", "bcrt"
  std::uint8_t witness_version = 0;
  Bytes program;
};

// Encodes a witness program: version 0..16, program 2..40 bytes, v0 programs 20 or 32 bytes;
// v0 uses Bech32 and v1+ Bech32m (BIP350).
std::optional<std::string> segwit_address_encode(std::string_view hrp, std::uint8_t witness_version,
                                                 ByteSpan program);

// Decodes a segwit address with every BIP173/BIP350 rule (including the variant per version).
std::optional<SegwitAddress> segwit_address_decode(std::string_view address);

// As above, and additionally requires the hrp (compared case-insensitively) to be `expected_hrp`.
std::optional<SegwitAddress> segwit_address_decode(std::string_view expected_hrp,
                                                   std::string_view address);

}  // namespace eo::bitcoin
