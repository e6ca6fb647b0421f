// Thin wrappers over libsecp256k1 using the shared context; every failure becomes nullopt.
#include "common/bitcoin/keys.h"

#include "common/bitcoin/detail/secp256k1_context.h"

#include <secp256k1.h>

#include <algorithm>

namespace eo::bitcoin {
namespace {

std::optional<secp256k1_pubkey> parse_pubkey(const CompressedPubKey& key) {
  if (key[0] != 0x02 && key[0] != 0x03) return std::nullopt;
  secp256k1_pubkey out;
  if (secp256k1_ec_pubkey_parse(detail::secp_context(), &out, key.data(), key.size()) != 1) {
    return std::nullopt;
  }
  return out;
}

CompressedPubKey serialize(const secp256k1_pubkey& key) {
  CompressedPubKey out{};
  std::size_t len = out.size();
  // Cannot fail for a parsed/derived key and a 33-byte buffer.
  secp256k1_ec_pubkey_serialize(detail::secp_context(), out.data(), &len, &key,
                                SECP256K1_EC_COMPRESSED);
  return out;
}

}  // namespace

bool is_valid_secret_key(const SecretKey& key) {
  return secp256k1_ec_seckey_verify(detail::secp_context(), key.data()) == 1;
}

bool is_valid_compressed_pubkey(const CompressedPubKey& key) {
  return parse_pubkey(key).has_value();
}

std::optional<CompressedPubKey> public_key_from_secret(const SecretKey& key) {
  secp256k1_pubkey pub;
  if (secp256k1_ec_pubkey_create(detail::secp_context(), &pub, key.data()) != 1) {
    return std::nullopt;
  }
  return serialize(pub);
}

std::optional<CompressedPubKey> add_tweak(const CompressedPubKey& key, const Tweak& tweak) {
  auto pub = parse_pubkey(key);
  if (!pub || secp256k1_ec_pubkey_tweak_add(detail::secp_context(), &*pub, tweak.data()) != 1) {
    return std::nullopt;
  }
  return serialize(*pub);
}

std::optional<SecretKey> add_tweak(const SecretKey& key, const Tweak& tweak) {
  SecretKey out = key;
  if (secp256k1_ec_seckey_tweak_add(detail::secp_context(), out.data(), tweak.data()) != 1) {
    return std::nullopt;
  }
  return out;
}

XOnlyPubKey x_only(const CompressedPubKey& key) {
  XOnlyPubKey out{};
  std::copy(key.begin() + 1, key.end(), out.begin());
  return out;
}

}  // namespace eo::bitcoin
