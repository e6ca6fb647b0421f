// Hex encoding, and the byte-reversed form in which Bitcoin displays hashes and txids.
#pragma once

#include "common/bitcoin/bytes.h"

#include <optional>
#include <string>
#include <string_view>

namespace eo::bitcoin {

// Lowercase hex of `data` in order.
std::string to_hex(ByteSpan data);

// Parses hex (either case, even length, no prefix or spaces); nullopt on anything else.
std::optional<Bytes> from_hex(std::string_view hex);

// Hex of `data` with its bytes reversed: how block hashes, txids and Electrum scripthashes read.
std::string to_reversed_hex(ByteSpan data);

// Parses hex and reverses the bytes (the inverse of to_reversed_hex).
std::optional<Bytes> from_reversed_hex(std::string_view hex);

// A displayed (reversed) 64-character hash such as a txid, back to internal byte order.
std::optional<Hash256> hash256_from_display_hex(std::string_view hex);

}  // namespace eo::bitcoin
