// Standard output scripts, their addresses per network, and Electrum's scripthash of a script.
#pragma once

#include "common/bitcoin/bytes.h"
#include "common/bitcoin/network.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace eo::bitcoin {

// What an output script is, by its template.
enum class ScriptType : std::uint8_t {
  nonstandard,
  p2pkh,
  p2sh,
  p2wpkh,
  p2wsh,
  p2tr,
  witness_unknown,  // a valid witness program of a version/length with no defined meaning yet
};

// The address kinds a wallet derives from one key (what the address-type probes query).
enum class OutputType : std::uint8_t { p2pkh, p2sh_p2wpkh, p2wpkh, p2tr };

std::string_view to_string(ScriptType type);
std::string_view to_string(OutputType type);

// Templates from hashes/keys that are already computed.
Bytes p2pkh_script(const Hash160& key_hash);               // DUP HASH160 <20> EQUALVERIFY CHECKSIG
Bytes p2sh_script(const Hash160& script_hash);             // HASH160 <20> EQUAL
Bytes p2wpkh_script(const Hash160& key_hash);              // 0 <20>
Bytes p2wsh_script(const Hash256& witness_script_sha256);  // 0 <32>
Bytes p2tr_script(const XOnlyPubKey& output_key);          // 1 <32> (key already tweaked)

// OP_n <program> for any witness version 0..16; nullopt unless the program is 2..40 bytes.
std::optional<Bytes> witness_program_script(std::uint8_t version, ByteSpan program);

// Templates from a serialized public key (normally a 33-byte compressed key).
Bytes p2pkh_script_for_pubkey(ByteSpan pubkey);
Bytes p2wpkh_script_for_pubkey(ByteSpan pubkey);
Bytes p2sh_p2wpkh_redeem_script(ByteSpan pubkey);      // OP_0 <hash160(pubkey)>, in the scriptSig
Bytes p2sh_p2wpkh_script_for_pubkey(ByteSpan pubkey);  // P2SH of the redeem script (BIP49)
Bytes p2wsh_script_for_witness_script(ByteSpan witness_script);

ScriptType classify_script(ByteSpan script);

// The output script an address pays to; nullopt if it is malformed or for another network.
std::optional<Bytes> address_to_script(std::string_view address, Network network);

// The address of a standard output script (P2PKH, P2SH, any valid witness program).
std::optional<std::string> script_to_address(ByteSpan script, Network network);

// The Electrum protocol's key for a script: hex of the byte-reversed SHA-256 of the script.
std::string electrum_scripthash(ByteSpan script);

}  // namespace eo::bitcoin
