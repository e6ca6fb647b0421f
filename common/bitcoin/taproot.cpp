// The TapTweak with libsecp256k1's extrakeys module.
#include "common/bitcoin/taproot.h"

#include "common/bitcoin/detail/secp256k1_context.h"
#include "common/bitcoin/hash.h"
#include "common/bitcoin/keys.h"
#include "common/bitcoin/script.h"

#include <secp256k1.h>
#include <secp256k1_extrakeys.h>

namespace eo::bitcoin {

std::optional<XOnlyPubKey> taproot_output_key(const XOnlyPubKey& internal_key,
                                              ByteSpan merkle_root) {
  if (!merkle_root.empty() && merkle_root.size() != 32) return std::nullopt;
  const secp256k1_context* ctx = detail::secp_context();
  secp256k1_xonly_pubkey internal;
  if (secp256k1_xonly_pubkey_parse(ctx, &internal, internal_key.data()) != 1) return std::nullopt;

  Bytes msg(internal_key.begin(), internal_key.end());
  msg.insert(msg.end(), merkle_root.begin(), merkle_root.end());
  const Hash256 tweak = tagged_hash("TapTweak", msg);

  secp256k1_pubkey tweaked;
  if (secp256k1_xonly_pubkey_tweak_add(ctx, &tweaked, &internal, tweak.data()) != 1) {
    return std::nullopt;
  }
  secp256k1_xonly_pubkey output;
  if (secp256k1_xonly_pubkey_from_pubkey(ctx, &output, nullptr, &tweaked) != 1) {
    return std::nullopt;
  }
  XOnlyPubKey out{};
  secp256k1_xonly_pubkey_serialize(ctx, out.data(), &output);
  return out;
}

std::optional<XOnlyPubKey> bip86_output_key(const XOnlyPubKey& internal_key) {
  return taproot_output_key(internal_key);
}

std::optional<Bytes> bip86_script(const XOnlyPubKey& internal_key) {
  const auto output = bip86_output_key(internal_key);
  if (!output) return std::nullopt;
  return p2tr_script(*output);
}

std::optional<Bytes> bip86_script_for_child(const ExtendedPubKey& parent, std::uint32_t index) {
  const auto child = parent.derive_child(index);
  if (!child) return std::nullopt;
  return bip86_script(x_only(child->pubkey));
}

}  // namespace eo::bitcoin
