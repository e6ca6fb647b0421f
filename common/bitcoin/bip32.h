// BIP32 extended keys: xpub-family strings, public (CKDpub) and private (CKDpriv) derivation.
#pragma once

#include "common/bitcoin/bytes.h"
#include "common/bitcoin/derivation_path.h"
#include "common/bitcoin/keys.h"
#include "common/bitcoin/network.h"
#include "common/bitcoin/script.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace eo::bitcoin {

// Which version bytes an extended key carries (BIP32, and BIP49/BIP84 for y/z/u/v); the
// private counterparts are xprv, tprv, yprv, zprv, uprv, vprv.
enum class ExtendedKeyKind : std::uint8_t { xpub, tpub, ypub, zpub, upub, vpub };

std::string_view to_string(ExtendedKeyKind kind);  // "xpub", "tpub", ...

std::uint32_t public_version(ExtendedKeyKind kind);   // e.g. 0x0488B21E for xpub
std::uint32_t private_version(ExtendedKeyKind kind);  // e.g. 0x0488ADE4 for xprv

// Mainnet for x/y/z, testnet for t/u/v (regtest wallets use the testnet versions).
Network network_of(ExtendedKeyKind kind);

// ypub/upub imply P2SH-P2WPKH (BIP49) and zpub/vpub P2WPKH (BIP84). xpub/tpub carry no script
// type: this returns P2PKH (BIP44) as a default and the caller may choose any other.
OutputType implied_output_type(ExtendedKeyKind kind);

using ChainCode = std::array<std::uint8_t, 32>;
using Fingerprint = std::array<std::uint8_t, 4>;

struct ExtendedPubKey {
  ExtendedKeyKind kind = ExtendedKeyKind::xpub;  // determines the 4 version bytes
  std::uint8_t depth = 0;
  Fingerprint parent_fingerprint{};
  std::uint32_t child_number = 0;
  ChainCode chain_code{};
  CompressedPubKey pubkey{};

  std::uint32_t version() const { return public_version(kind); }

  // First 4 bytes of HASH160(pubkey): the parent fingerprint its children carry.
  Fingerprint fingerprint() const;

  // Parses a Base58Check xpub/tpub/ypub/zpub/upub/vpub. Rejects private versions, a bad
  // checksum or length, a pubkey that is not a valid compressed point, and depth 0 with a
  // non-zero parent fingerprint or child number.
  static std::optional<ExtendedPubKey> parse(std::string_view text);

  // The Base58Check string (111 characters).
  std::string to_string() const;

  // CKDpub: nullopt for a hardened index, at depth 255, or for the (~2^-127) invalid tweak.
  std::optional<ExtendedPubKey> derive_child(std::uint32_t index) const;

  // Derives along a path such as "0/5" or "m/0/5"; nullopt on a hardened or malformed step.
  std::optional<ExtendedPubKey> derive_path(std::string_view path) const;

  bool operator==(const ExtendedPubKey&) const = default;
};

// A private extended key. Always holds a valid secret key (1..n-1): it is only made by
// from_seed, parse and derivation. Key material is not wiped from memory: this module handles
// test and regtest keys, not user funds.
class ExtendedPrivKey {
 public:
  // BIP32 master key: HMAC-SHA512(key "Bitcoin seed", seed). The seed must be 16..64 bytes.
  static std::optional<ExtendedPrivKey> from_seed(ByteSpan seed,
                                                  ExtendedKeyKind kind = ExtendedKeyKind::xpub);

  // Parses an xprv/tprv/yprv/zprv/uprv/vprv string with the checks of ExtendedPubKey::parse
  // plus: key prefixed by 0x00 and within 1..n-1.
  static std::optional<ExtendedPrivKey> parse(std::string_view text);

  std::string to_string() const;

  // CKDpriv for hardened and non-hardened indexes; nullopt at depth 255 or on an invalid key.
  std::optional<ExtendedPrivKey> derive_child(std::uint32_t index) const;
  std::optional<ExtendedPrivKey> derive_path(std::string_view path) const;

  // The matching extended public key (same kind, depth, fingerprint, child number, chain code).
  ExtendedPubKey neuter() const;

  CompressedPubKey public_key() const;
  const SecretKey& private_key() const { return secret_; }

  ExtendedKeyKind kind() const { return kind_; }
  std::uint32_t version() const { return private_version(kind_); }
  std::uint8_t depth() const { return depth_; }
  const Fingerprint& parent_fingerprint() const { return parent_fingerprint_; }
  std::uint32_t child_number() const { return child_number_; }
  const ChainCode& chain_code() const { return chain_code_; }

  bool operator==(const ExtendedPrivKey&) const = default;

 private:
  ExtendedPrivKey() = default;

  ExtendedKeyKind kind_ = ExtendedKeyKind::xpub;
  std::uint8_t depth_ = 0;
  Fingerprint parent_fingerprint_{};
  std::uint32_t child_number_ = 0;
  ChainCode chain_code_{};
  SecretKey secret_{};
};

}  // namespace eo::bitcoin
