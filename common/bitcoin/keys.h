// secp256k1 key checks and tweaks on plain byte arrays (libsecp256k1 stays in the .cpp).
#pragma once

#include "common/bitcoin/bytes.h"

#include <array>
#include <optional>

namespace eo::bitcoin {

using SecretKey = std::array<std::uint8_t, 32>;
using Tweak = std::array<std::uint8_t, 32>;

// 1 <= key < n (the curve order).
bool is_valid_secret_key(const SecretKey& key);

// A 0x02/0x03-prefixed x coordinate that lies on the curve.
bool is_valid_compressed_pubkey(const CompressedPubKey& key);

// key * G, compressed; nullopt if the key is invalid.
std::optional<CompressedPubKey> public_key_from_secret(const SecretKey& key);

// key + tweak*G; nullopt if the key is invalid, tweak >= n, or the result is infinity.
std::optional<CompressedPubKey> add_tweak(const CompressedPubKey& key, const Tweak& tweak);

// (key + tweak) mod n; nullopt if the key is invalid, tweak >= n, or the result is zero.
std::optional<SecretKey> add_tweak(const SecretKey& key, const Tweak& tweak);

// The x coordinate of a compressed key (drops the parity prefix), as BIP86 uses it.
XOnlyPubKey x_only(const CompressedPubKey& key);

}  // namespace eo::bitcoin
