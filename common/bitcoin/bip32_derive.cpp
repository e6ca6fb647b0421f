// BIP32 child key derivation (CKDpriv, CKDpub), master keys from seeds, and neutering.
#include "common/bitcoin/bip32.h"

#include "common/bitcoin/hash.h"

#include <algorithm>

namespace eo::bitcoin {
namespace {

// Split of I = HMAC-SHA512(...) into IL (the tweak) and IR (the child chain code).
struct Split {
  Tweak left;
  ChainCode right;
};

Split split(const std::array<std::uint8_t, 64>& i) {
  Split out{};
  std::copy(i.begin(), i.begin() + 32, out.left.begin());
  std::copy(i.begin() + 32, i.end(), out.right.begin());
  return out;
}

void put_u32_be(Bytes& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

Fingerprint fingerprint_of(const CompressedPubKey& key) {
  const Hash160 id = hash160(key);
  return Fingerprint{id[0], id[1], id[2], id[3]};
}

}  // namespace

Fingerprint ExtendedPubKey::fingerprint() const { return fingerprint_of(pubkey); }

std::optional<ExtendedPubKey> ExtendedPubKey::derive_child(std::uint32_t index) const {
  if (is_hardened(index) || depth == 255) return std::nullopt;
  Bytes data(pubkey.begin(), pubkey.end());
  put_u32_be(data, index);
  const Split i = split(hmac_sha512(chain_code, data));
  // Rejects IL >= n and a point at infinity, the cases BIP32 says to skip to the next index.
  const auto child_key = add_tweak(pubkey, i.left);
  if (!child_key) return std::nullopt;
  return ExtendedPubKey{
      kind, static_cast<std::uint8_t>(depth + 1), fingerprint(), index, i.right, *child_key};
}

std::optional<ExtendedPubKey> ExtendedPubKey::derive_path(std::string_view path) const {
  const auto indexes = parse_derivation_path(path);
  if (!indexes) return std::nullopt;
  std::optional<ExtendedPubKey> key = *this;
  for (std::uint32_t index : *indexes) {
    key = key->derive_child(index);
    if (!key) return std::nullopt;
  }
  return key;
}

std::optional<ExtendedPrivKey> ExtendedPrivKey::from_seed(ByteSpan seed, ExtendedKeyKind kind) {
  if (seed.size() < 16 || seed.size() > 64) return std::nullopt;
  static constexpr std::string_view label = "Bitcoin seed";
  const ByteSpan key(reinterpret_cast<const std::uint8_t*>(label.data()), label.size());
  const Split i = split(hmac_sha512(key, seed));
  if (!is_valid_secret_key(i.left)) return std::nullopt;
  ExtendedPrivKey out;
  out.kind_ = kind;
  out.chain_code_ = i.right;
  out.secret_ = i.left;
  return out;
}

CompressedPubKey ExtendedPrivKey::public_key() const {
  // secret_ is valid by construction, so this cannot fail.
  return public_key_from_secret(secret_).value();
}

std::optional<ExtendedPrivKey> ExtendedPrivKey::derive_child(std::uint32_t index) const {
  if (depth_ == 255) return std::nullopt;
  const CompressedPubKey parent_pub = public_key();
  Bytes data;
  data.reserve(37);
  if (is_hardened(index)) {
    data.push_back(0x00);
    data.insert(data.end(), secret_.begin(), secret_.end());
  } else {
    data.insert(data.end(), parent_pub.begin(), parent_pub.end());
  }
  put_u32_be(data, index);
  const Split i = split(hmac_sha512(chain_code_, data));
  // Rejects IL >= n and a zero child key.
  const auto child_secret = add_tweak(secret_, i.left);
  if (!child_secret) return std::nullopt;
  ExtendedPrivKey out;
  out.kind_ = kind_;
  out.depth_ = static_cast<std::uint8_t>(depth_ + 1);
  out.parent_fingerprint_ = fingerprint_of(parent_pub);
  out.child_number_ = index;
  out.chain_code_ = i.right;
  out.secret_ = *child_secret;
  return out;
}

std::optional<ExtendedPrivKey> ExtendedPrivKey::derive_path(std::string_view path) const {
  const auto indexes = parse_derivation_path(path);
  if (!indexes) return std::nullopt;
  std::optional<ExtendedPrivKey> key = *this;
  for (std::uint32_t index : *indexes) {
    key = key->derive_child(index);
    if (!key) return std::nullopt;
  }
  return key;
}

ExtendedPubKey ExtendedPrivKey::neuter() const {
  return ExtendedPubKey{kind_,         depth_,      parent_fingerprint_,
                        child_number_, chain_code_, public_key()};
}

}  // namespace eo::bitcoin
