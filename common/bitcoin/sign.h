// ECDSA transaction signing: legacy and BIP143 (segwit v0) signature hashes, low-S DER
// signatures, and helpers that sign P2PKH, P2WPKH and P2SH-P2WPKH inputs (SIGHASH_ALL only).
#pragma once

#include "common/bitcoin/bytes.h"
#include "common/bitcoin/keys.h"
#include "common/bitcoin/tx.h"

#include <cstddef>
#include <cstdint>
#include <optional>

namespace eo::bitcoin {

// The only hash type supported: the signature commits to every input and output.
inline constexpr std::uint8_t sighash_all = 0x01;

// Legacy (pre-segwit) signature hash of input `input` with SIGHASH_ALL: every scriptSig is
// emptied, the signed input's is replaced by `script_code` (the spent output's script; no
// OP_CODESEPARATOR handling), then double SHA-256 of that and the 4-byte hash type. nullopt if
// `input` is out of range.
std::optional<Hash256> legacy_sighash(const Transaction& tx, std::size_t input,
                                      ByteSpan script_code);

// BIP143 signature hash of input `input` (segwit v0) with SIGHASH_ALL; `amount` is the value
// of the spent output in satoshis. nullopt if `input` is out of range.
std::optional<Hash256> segwit_v0_sighash(const Transaction& tx, std::size_t input,
                                         ByteSpan script_code, std::int64_t amount);

// BIP143's scriptCode for a P2WPKH key: DUP HASH160 <hash160(pubkey)> EQUALVERIFY CHECKSIG.
// (The length prefix is added by the sighash.)
Bytes p2wpkh_script_code(const CompressedPubKey& pubkey);

// ECDSA over secp256k1 with RFC6979 nonces (deterministic), normalized to low S, DER-encoded,
// followed by the hash-type byte. nullopt if the key is invalid.
std::optional<Bytes> sign_ecdsa(const SecretKey& key, const Hash256& sighash,
                                std::uint8_t hash_type = sighash_all);

// Checks a DER signature (without the hash-type byte) over `sighash`. Strict: rejects
// high-S signatures, as Bitcoin's standardness rules do.
bool verify_ecdsa(const CompressedPubKey& pubkey, const Hash256& sighash, ByteSpan der);

// Signs input `input` of `tx` in place. Each returns false (leaving `tx` unchanged) if the
// input is out of range or the key is invalid. Sign after all inputs and outputs are final:
// SIGHASH_ALL commits to all of them.
//
// P2WPKH: empty scriptSig, witness [signature, pubkey]; `amount` is the spent output's value.
bool sign_p2wpkh_input(Transaction& tx, std::size_t input, const SecretKey& key,
                       std::int64_t amount);
// P2SH-P2WPKH (BIP49): scriptSig pushes the redeem script OP_0 <hash160(pubkey)>, witness as
// for P2WPKH.
bool sign_p2sh_p2wpkh_input(Transaction& tx, std::size_t input, const SecretKey& key,
                            std::int64_t amount);
// P2PKH: scriptSig <signature> <pubkey>, legacy sighash over the P2PKH script.
bool sign_p2pkh_input(Transaction& tx, std::size_t input, const SecretKey& key);

}  // namespace eo::bitcoin
