// The hash functions Bitcoin uses: SHA-256, double SHA-256, HASH160, HMAC-SHA512, BIP340 tags.
#pragma once

#include "common/bitcoin/bytes.h"

#include <array>
#include <string_view>

namespace eo::bitcoin {

Hash256 sha256(ByteSpan data);

// SHA-256 applied twice: block hashes, txids, merkle nodes, base58check checksums.
Hash256 double_sha256(ByteSpan data);
inline Hash256 sha256d(ByteSpan data) { return double_sha256(data); }

Hash160 ripemd160(ByteSpan data);

// RIPEMD-160(SHA-256(data)): the key hash of P2PKH/P2WPKH and the script hash of P2SH.
Hash160 hash160(ByteSpan data);

std::array<std::uint8_t, 64> hmac_sha512(ByteSpan key, ByteSpan data);

// BIP340 tagged hash: SHA-256(SHA-256(tag) || SHA-256(tag) || data).
Hash256 tagged_hash(std::string_view tag, ByteSpan data);

}  // namespace eo::bitcoin
