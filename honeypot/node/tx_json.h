// Bitcoin Core's decoded shapes of transactions and scripts (decoderawtransaction,
// getrawtransaction verbose, getblock verbosity 2) for regtest.
#pragma once

#include "common/bitcoin/bytes.h"
#include "common/bitcoin/tx.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace eo::honeypot::node {

// Core's script disassembly: opcodes by name, pushes as hex (small pushes of up to 4 bytes as
// numbers, as Core prints them), "[error]" where a push runs past the end. Never throws.
std::string script_asm(bitcoin::ByteSpan script);

// Core's type name of an output script: pubkeyhash, scripthash, witness_v0_keyhash,
// witness_v0_scripthash, witness_v1_taproot, witness_unknown, nulldata or nonstandard.
std::string script_type_name(bitcoin::ByteSpan script);

// Satoshis as a JSON number in BTC.
nlohmann::json btc_amount(std::int64_t sats);

// txid, hash, version, size, vsize, weight, locktime, vin, vout.
nlohmann::json decode_transaction(const bitcoin::Transaction& tx);

}  // namespace eo::honeypot::node
