// Signing: BIP143's native P2WPKH and P2SH-P2WPKH examples (sighash and, with RFC6979 nonces,
// the exact signatures and signed transactions), the legacy sighash of its P2PK input, and
// round trips of our own signatures.
#include "common/bitcoin/sign.h"

#include "common/bitcoin/hex.h"
#include "common/bitcoin/script.h"
#include "tests/common/bitcoin/test_hex.h"

#include <gtest/gtest.h>

namespace eo::bitcoin {
namespace {

using testing::unhex;
using testing::unhex_array;

// BIP143 "Native P2WPKH".
const char* const native_unsigned_hex =
    "0100000002fff7f7881a8099afa6940d42d1e7f6362bec38171ea3edf433541db4e4ad969f0000000000eeff"
    "ffffef51e1b804cc89d182d279655c3aa89e815b1b309fe287d9b2b55d57b90ec68a0100000000ffffffff02"
    "202cb206000000001976a9148280b37df378db99f66f85c95a783a76ac7a6d5988ac9093510d000000001976"
    "a9143bde42dbee7e4dbe6a21b2d50ce2f0167faa815988ac11000000";
const char* const native_p2pk_script =
    "2103c9f4836b9a4f77fc0d81f7bcb01b7f1b35916864b9476c241ce9fc198bd25432ac";
const char* const native_p2pk_key =
    "bbc27228ddcb9209d7fd6f36b02f7dfa6252af40bb2f1cbc7a557da8027ff866";
const char* const native_p2pk_signature =  // from the signed transaction's first scriptSig
    "30450221008b9d1dc26ba6a9cb62127b02742fa9d754cd3bebf337f7a55d114c8e5cdd30be022040529b194b"
    "a3f9281a99f2b1c0a19c0489bc22ede944ccf4ecbab4cc618ef3ed";
const char* const native_p2wpkh_key =
    "619c335025c7f4012e556c2a58b2506e30b8511b53ade95ea316fd8c3286feb9";
const char* const native_sighash =
    "c37af31116d1b27caf68aae9e3ac82f1477929014d5b917657d0eb49478cb670";
const char* const native_signature =
    "304402203609e17b84f6a7d30c80bfa610b5b4542f32a8a0d5447a12fb1366d7f01cc44a0220573a954c4518"
    "331561406f90300e8f3358f51928d43c212a8caed02de67eebee";
const char* const native_signed_hex =
    "01000000000102fff7f7881a8099afa6940d42d1e7f6362bec38171ea3edf433541db4e4ad969f0000000049"
    "4830450221008b9d1dc26ba6a9cb62127b02742fa9d754cd3bebf337f7a55d114c8e5cdd30be022040529b19"
    "4ba3f9281a99f2b1c0a19c0489bc22ede944ccf4ecbab4cc618ef3ed01eeffffffef51e1b804cc89d182d279"
    "655c3aa89e815b1b309fe287d9b2b55d57b90ec68a0100000000ffffffff02202cb206000000001976a91482"
    "80b37df378db99f66f85c95a783a76ac7a6d5988ac9093510d000000001976a9143bde42dbee7e4dbe6a21b2"
    "d50ce2f0167faa815988ac000247304402203609e17b84f6a7d30c80bfa610b5b4542f32a8a0d5447a12fb13"
    "66d7f01cc44a0220573a954c4518331561406f90300e8f3358f51928d43c212a8caed02de67eebee0121025476"
    "c2e83188368da1ff3e292e7acafcdb3566bb0ad253f62fc70f07aeee635711000000";

// BIP143 "P2SH-P2WPKH".
const char* const nested_unsigned_hex =
    "0100000001db6b1b20aa0fd7b23880be2ecbd4a98130974cf4748fb66092ac4d3ceb1a54770100000000feff"
    "ffff02b8b4eb0b000000001976a914a457b684d7f0d539a46a45bbc043f35b59d0d96388ac0008af2f000000"
    "001976a914fd270b1ee6abcaea97fea7ad0402e8bd8ad6d77c88ac92040000";
const char* const nested_key = "eb696a065ef48a2192da5b28b694f87544b30fae8327c4510137a922f32c6dcf";
const char* const nested_sighash =
    "64f3b0f4dd2bb3aa1ce8566d220cc74dda9df97d8490cc81d89d735c92e59fb6";
const char* const nested_signed_hex =
    "01000000000101db6b1b20aa0fd7b23880be2ecbd4a98130974cf4748fb66092ac4d3ceb1a54770100000017"
    "16001479091972186c449eb1ded22b78e40d009bdf0089feffffff02b8b4eb0b000000001976a914a457b684"
    "d7f0d539a46a45bbc043f35b59d0d96388ac0008af2f000000001976a914fd270b1ee6abcaea97fea7ad0402"
    "e8bd8ad6d77c88ac02473044022047ac8e878352d3ebbde1c94ce3a10d057c24175747116f8288e5d794d12d"
    "482f0220217f36a485cae903c713331d877c1f64677e3622ad4010726870540656fe9dcb012103ad1d8e8921"
    "2f0b92c74d23bb710c00662ad1470198ac48c43f7d6f93a2a2687392040000";

Transaction parse(const char* hex) {
  auto tx = parse_transaction(unhex(hex));
  if (!tx) std::abort();
  return *tx;
}

TEST(Sign, Bip143NativeP2wpkhSighashAndSignature) {
  Transaction tx = parse(native_unsigned_hex);
  const auto key = unhex_array<32>(native_p2wpkh_key);
  const auto pubkey = public_key_from_secret(key);
  ASSERT_TRUE(pubkey);
  EXPECT_EQ(to_hex(p2wpkh_script_code(*pubkey)),
            "76a9141d0f172a0ecb48aee1be1f2687d2963ae33f71a188ac");

  const auto sighash = segwit_v0_sighash(tx, 1, p2wpkh_script_code(*pubkey), 600'000'000);
  ASSERT_TRUE(sighash);
  EXPECT_EQ(to_hex(*sighash), native_sighash);

  const auto signature = sign_ecdsa(key, *sighash);
  ASSERT_TRUE(signature);
  EXPECT_EQ(to_hex(*signature), std::string(native_signature) + "01");
  EXPECT_TRUE(verify_ecdsa(*pubkey, *sighash, unhex(native_signature)));
}

TEST(Sign, Bip143NativeExampleSignsToThePublishedTransaction) {
  Transaction tx = parse(native_unsigned_hex);
  const Bytes p2pk = unhex(native_p2pk_script);
  const auto p2pk_key = unhex_array<32>(native_p2pk_key);

  // Input 0 spends a P2PK output: a legacy sighash over its script; the scriptSig is the
  // signature alone. The BIP's signature verifies against our legacy sighash.
  const auto legacy = legacy_sighash(tx, 0, p2pk);
  ASSERT_TRUE(legacy);
  const auto p2pk_pub = public_key_from_secret(p2pk_key);
  ASSERT_TRUE(p2pk_pub);
  EXPECT_TRUE(verify_ecdsa(*p2pk_pub, *legacy, unhex(native_p2pk_signature)));
  const auto p2pk_sig = sign_ecdsa(p2pk_key, *legacy);
  ASSERT_TRUE(p2pk_sig);
  tx.inputs[0].script_sig.push_back(static_cast<std::uint8_t>(p2pk_sig->size()));
  tx.inputs[0].script_sig.insert(tx.inputs[0].script_sig.end(), p2pk_sig->begin(), p2pk_sig->end());

  ASSERT_TRUE(sign_p2wpkh_input(tx, 1, unhex_array<32>(native_p2wpkh_key), 600'000'000));
  EXPECT_EQ(to_hex(serialize(tx)), native_signed_hex);
}

TEST(Sign, Bip143P2shP2wpkh) {
  Transaction tx = parse(nested_unsigned_hex);
  const auto key = unhex_array<32>(nested_key);
  const auto pubkey = public_key_from_secret(key);
  ASSERT_TRUE(pubkey);
  const auto sighash = segwit_v0_sighash(tx, 0, p2wpkh_script_code(*pubkey), 1'000'000'000);
  ASSERT_TRUE(sighash);
  EXPECT_EQ(to_hex(*sighash), nested_sighash);

  ASSERT_TRUE(sign_p2sh_p2wpkh_input(tx, 0, key, 1'000'000'000));
  EXPECT_EQ(to_hex(serialize(tx)), nested_signed_hex);
}

TEST(Sign, P2pkhRoundTrip) {
  Transaction tx = parse(native_unsigned_hex);
  const auto key = unhex_array<32>(native_p2wpkh_key);
  const auto pubkey = public_key_from_secret(key);
  ASSERT_TRUE(pubkey);
  ASSERT_TRUE(sign_p2pkh_input(tx, 0, key));

  // scriptSig = <sig+hashtype> <pubkey>, and the signature checks against the legacy sighash.
  const Bytes& script_sig = tx.inputs[0].script_sig;
  ASSERT_GT(script_sig.size(), 2u + 33u);
  const std::size_t sig_len = script_sig[0];
  ASSERT_EQ(script_sig.size(), 1 + sig_len + 1 + 33);
  EXPECT_EQ(script_sig[sig_len], sighash_all);
  EXPECT_EQ(script_sig[1 + sig_len], 33);
  EXPECT_EQ(Bytes(script_sig.begin() + 2 + sig_len, script_sig.end()),
            Bytes(pubkey->begin(), pubkey->end()));
  const auto sighash = legacy_sighash(tx, 0, p2pkh_script_for_pubkey(*pubkey));
  ASSERT_TRUE(sighash);
  EXPECT_TRUE(verify_ecdsa(*pubkey, *sighash, ByteSpan(script_sig).subspan(1, sig_len - 1)));
}

TEST(Sign, RejectsBadInputIndexAndKeys) {
  Transaction tx = parse(native_unsigned_hex);
  const Transaction before = tx;
  const auto key = unhex_array<32>(native_p2wpkh_key);
  EXPECT_FALSE(legacy_sighash(tx, 2, {}));
  EXPECT_FALSE(segwit_v0_sighash(tx, 2, {}, 0));
  EXPECT_FALSE(sign_p2wpkh_input(tx, 2, key, 1));
  EXPECT_FALSE(sign_p2wpkh_input(tx, 0, SecretKey{}, 1));  // zero is not a valid key
  EXPECT_FALSE(sign_ecdsa(SecretKey{}, Hash256{}));
  EXPECT_EQ(tx, before);

  // A signature does not verify for another message or key, nor when malformed.
  const Hash256 message{1};
  const auto signature = sign_ecdsa(key, message);
  ASSERT_TRUE(signature);
  const ByteSpan der = ByteSpan(*signature).first(signature->size() - 1);
  const auto pubkey = public_key_from_secret(key);
  const auto other = public_key_from_secret(unhex_array<32>(nested_key));
  EXPECT_TRUE(verify_ecdsa(*pubkey, message, der));
  EXPECT_FALSE(verify_ecdsa(*pubkey, Hash256{2}, der));
  EXPECT_FALSE(verify_ecdsa(*other, message, der));
  EXPECT_FALSE(verify_ecdsa(*pubkey, message, der.first(der.size() - 1)));
}

}  // namespace
}  // namespace eo::bitcoin
