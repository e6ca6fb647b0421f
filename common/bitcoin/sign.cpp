// Signature hashes written from the BIP143 text and Bitcoin's legacy rules, signed with
// libsecp256k1 (whose default nonce function is RFC6979 and whose signatures are low-S).
#include "common/bitcoin/sign.h"

#include "common/bitcoin/compact_size.h"
#include "common/bitcoin/detail/secp256k1_context.h"
#include "common/bitcoin/hash.h"
#include "common/bitcoin/script.h"
#include "common/bitcoin/wire.h"

#include <secp256k1.h>

namespace eo::bitcoin {
namespace {

void append_var_bytes(Bytes& out, ByteSpan data) {
  append_compact_size(out, data.size());
  append_bytes(out, data);
}

void append_outpoint(Bytes& out, const OutPoint& prevout) {
  append_bytes(out, prevout.txid);
  append_u32_le(out, prevout.vout);
}

void append_output(Bytes& out, const TxOut& txout) {
  append_i64_le(out, txout.value);
  append_var_bytes(out, txout.script_pubkey);
}

// A script push of fewer than 76 bytes (signatures and keys): length byte, then the data.
void append_small_push(Bytes& out, ByteSpan data) {
  append_u8(out, static_cast<std::uint8_t>(data.size()));
  append_bytes(out, data);
}

Hash256 hash_prevouts(const Transaction& tx) {
  Bytes data;
  for (const TxIn& in : tx.inputs) append_outpoint(data, in.prevout);
  return double_sha256(data);
}

Hash256 hash_sequences(const Transaction& tx) {
  Bytes data;
  for (const TxIn& in : tx.inputs) append_u32_le(data, in.sequence);
  return double_sha256(data);
}

Hash256 hash_outputs(const Transaction& tx) {
  Bytes data;
  for (const TxOut& out : tx.outputs) append_output(data, out);
  return double_sha256(data);
}

// The signature and public key a segwit v0 key-hash spend puts in its witness.
std::optional<std::vector<Bytes>> p2wpkh_witness(const Transaction& tx, std::size_t input,
                                                 const SecretKey& key, std::int64_t amount) {
  const auto pubkey = public_key_from_secret(key);
  if (!pubkey) return std::nullopt;
  const auto sighash = segwit_v0_sighash(tx, input, p2wpkh_script_code(*pubkey), amount);
  if (!sighash) return std::nullopt;
  auto signature = sign_ecdsa(key, *sighash);
  if (!signature) return std::nullopt;
  return std::vector<Bytes>{std::move(*signature), Bytes(pubkey->begin(), pubkey->end())};
}

}  // namespace

std::optional<Hash256> legacy_sighash(const Transaction& tx, std::size_t input,
                                      ByteSpan script_code) {
  if (input >= tx.inputs.size()) return std::nullopt;
  Transaction copy = tx;
  for (std::size_t i = 0; i < copy.inputs.size(); ++i) {
    copy.inputs[i].witness.clear();
    copy.inputs[i].script_sig.clear();
    if (i == input) copy.inputs[i].script_sig.assign(script_code.begin(), script_code.end());
  }
  Bytes preimage = serialize_without_witness(copy);
  append_u32_le(preimage, sighash_all);
  return double_sha256(preimage);
}

std::optional<Hash256> segwit_v0_sighash(const Transaction& tx, std::size_t input,
                                         ByteSpan script_code, std::int64_t amount) {
  if (input >= tx.inputs.size()) return std::nullopt;
  const TxIn& in = tx.inputs[input];
  Bytes preimage;
  append_i32_le(preimage, tx.version);
  append_bytes(preimage, hash_prevouts(tx));
  append_bytes(preimage, hash_sequences(tx));
  append_outpoint(preimage, in.prevout);
  append_var_bytes(preimage, script_code);
  append_i64_le(preimage, amount);
  append_u32_le(preimage, in.sequence);
  append_bytes(preimage, hash_outputs(tx));
  append_u32_le(preimage, tx.locktime);
  append_u32_le(preimage, sighash_all);
  return double_sha256(preimage);
}

Bytes p2wpkh_script_code(const CompressedPubKey& pubkey) { return p2pkh_script_for_pubkey(pubkey); }

std::optional<Bytes> sign_ecdsa(const SecretKey& key, const Hash256& sighash,
                                std::uint8_t hash_type) {
  const secp256k1_context* ctx = detail::secp_context();
  secp256k1_ecdsa_signature signature;
  // A null nonce function selects RFC6979; the result is already in low-S form.
  if (secp256k1_ecdsa_sign(ctx, &signature, sighash.data(), key.data(), nullptr, nullptr) != 1) {
    return std::nullopt;
  }
  Bytes der(72);
  std::size_t len = der.size();
  if (secp256k1_ecdsa_signature_serialize_der(ctx, der.data(), &len, &signature) != 1) {
    return std::nullopt;
  }
  der.resize(len);
  der.push_back(hash_type);
  return der;
}

bool verify_ecdsa(const CompressedPubKey& pubkey, const Hash256& sighash, ByteSpan der) {
  const secp256k1_context* ctx = detail::secp_context();
  secp256k1_pubkey parsed_key;
  secp256k1_ecdsa_signature signature;
  return secp256k1_ec_pubkey_parse(ctx, &parsed_key, pubkey.data(), pubkey.size()) == 1 &&
         secp256k1_ecdsa_signature_parse_der(ctx, &signature, der.data(), der.size()) == 1 &&
         secp256k1_ecdsa_verify(ctx, &signature, sighash.data(), &parsed_key) == 1;
}

bool sign_p2wpkh_input(Transaction& tx, std::size_t input, const SecretKey& key,
                       std::int64_t amount) {
  auto witness = p2wpkh_witness(tx, input, key, amount);
  if (!witness) return false;
  tx.inputs[input].script_sig.clear();
  tx.inputs[input].witness = std::move(*witness);
  return true;
}

bool sign_p2sh_p2wpkh_input(Transaction& tx, std::size_t input, const SecretKey& key,
                            std::int64_t amount) {
  auto witness = p2wpkh_witness(tx, input, key, amount);
  if (!witness) return false;
  Bytes script_sig;
  append_small_push(script_sig, p2sh_p2wpkh_redeem_script(witness->back()));
  tx.inputs[input].script_sig = std::move(script_sig);
  tx.inputs[input].witness = std::move(*witness);
  return true;
}

bool sign_p2pkh_input(Transaction& tx, std::size_t input, const SecretKey& key) {
  const auto pubkey = public_key_from_secret(key);
  if (!pubkey) return false;
  const auto sighash = legacy_sighash(tx, input, p2pkh_script_for_pubkey(*pubkey));
  if (!sighash) return false;
  const auto signature = sign_ecdsa(key, *sighash);
  if (!signature) return false;
  Bytes script_sig;
  append_small_push(script_sig, *signature);
  append_small_push(script_sig, *pubkey);
  tx.inputs[input].script_sig = std::move(script_sig);
  tx.inputs[input].witness.clear();
  return true;
}

}  // namespace eo::bitcoin
