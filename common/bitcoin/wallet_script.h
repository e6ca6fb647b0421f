// The output script a wallet key pays to for each address type the probes query.
#pragma once

#include "common/bitcoin/bip32.h"
#include "common/bitcoin/bytes.h"
#include "common/bitcoin/script.h"

#include <cstdint>
#include <optional>

namespace eo::bitcoin {

// P2PKH, P2SH-P2WPKH, P2WPKH from the key's HASH160, or BIP86 P2TR from its x coordinate.
// nullopt only for P2TR with a key that is not on the curve.
std::optional<Bytes> output_script_for_pubkey(OutputType type, const CompressedPubKey& pubkey);

// Script of child `index` of `parent` (non-hardened), e.g. an account xpub's "0" branch key and
// index 5 gives the sixth receive address; nullopt on a hardened index or invalid child.
std::optional<Bytes> output_script_for_child(OutputType type, const ExtendedPubKey& parent,
                                             std::uint32_t index);

}  // namespace eo::bitcoin
