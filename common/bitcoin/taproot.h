// Taproot output keys (BIP341 TapTweak) and BIP86 key-path-only P2TR outputs.
#pragma once

#include "common/bitcoin/bip32.h"
#include "common/bitcoin/bytes.h"

#include <cstdint>
#include <optional>

namespace eo::bitcoin {

// Q = P + tagged_hash("TapTweak", P || merkle_root)*G, returned x-only. An empty merkle_root is
// the key-path-only case (BIP86); otherwise it must be 32 bytes. nullopt if P is not a valid
// x-only key or the tweak is invalid.
std::optional<XOnlyPubKey> taproot_output_key(const XOnlyPubKey& internal_key,
                                              ByteSpan merkle_root = {});

// BIP86: the output key of an internal key with no script tree.
std::optional<XOnlyPubKey> bip86_output_key(const XOnlyPubKey& internal_key);

// OP_1 <bip86_output_key(internal_key)>.
std::optional<Bytes> bip86_script(const XOnlyPubKey& internal_key);

// The BIP86 P2TR script of a non-hardened child of `parent` (e.g. the account key at m/86'/0'/0'
// with branch and index derived first): internal key = x_only(child.pubkey).
std::optional<Bytes> bip86_script_for_child(const ExtendedPubKey& parent, std::uint32_t index);

}  // namespace eo::bitcoin
