// Maps (output type, key) to a script by dispatching to the script and taproot templates.
#include "common/bitcoin/wallet_script.h"

#include "common/bitcoin/keys.h"
#include "common/bitcoin/taproot.h"

namespace eo::bitcoin {

std::optional<Bytes> output_script_for_pubkey(OutputType type, const CompressedPubKey& pubkey) {
  switch (type) {
    case OutputType::p2pkh:
      return p2pkh_script_for_pubkey(pubkey);
    case OutputType::p2sh_p2wpkh:
      return p2sh_p2wpkh_script_for_pubkey(pubkey);
    case OutputType::p2wpkh:
      return p2wpkh_script_for_pubkey(pubkey);
    case OutputType::p2tr:
      return bip86_script(x_only(pubkey));
  }
  return std::nullopt;
}

std::optional<Bytes> output_script_for_child(OutputType type, const ExtendedPubKey& parent,
                                             std::uint32_t index) {
  const auto child = parent.derive_child(index);
  if (!child) return std::nullopt;
  return output_script_for_pubkey(type, child->pubkey);
}

}  // namespace eo::bitcoin
