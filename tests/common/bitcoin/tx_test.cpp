// Transactions: the genesis coinbase and BIP143's signed segwit examples, both directions, plus
// the parser's bounds (truncation, trailing bytes, hostile counts, superfluous witness).
#include "common/bitcoin/tx.h"

#include "common/bitcoin/hex.h"
#include "tests/common/bitcoin/test_hex.h"

#include <gtest/gtest.h>

namespace eo::bitcoin {
namespace {

using testing::unhex;

const char* const genesis_coinbase_hex =
    "01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff4d04ffff"
    "001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e20627269"
    "6e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73ffffffff0100f2052a0100000043"
    "4104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f355"
    "04e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac00000000";

// BIP143 "Native P2WPKH": the serialized signed transaction.
const char* const bip143_p2wpkh_hex =
    "01000000000102fff7f7881a8099afa6940d42d1e7f6362bec38171ea3edf433541db4e4ad969f0000000049"
    "4830450221008b9d1dc26ba6a9cb62127b02742fa9d754cd3bebf337f7a55d114c8e5cdd30be022040529b19"
    "4ba3f9281a99f2b1c0a19c0489bc22ede944ccf4ecbab4cc618ef3ed01eeffffffef51e1b804cc89d182d279"
    "655c3aa89e815b1b309fe287d9b2b55d57b90ec68a0100000000ffffffff02202cb206000000001976a91482"
    "80b37df378db99f66f85c95a783a76ac7a6d5988ac9093510d000000001976a9143bde42dbee7e4dbe6a21b2"
    "d50ce2f0167faa815988ac000247304402203609e17b84f6a7d30c80bfa610b5b4542f32a8a0d5447a12fb13"
    "66d7f01cc44a0220573a954c4518331561406f90300e8f3358f51928d43c212a8caed02de67eebee0121025476"
    "c2e83188368da1ff3e292e7acafcdb3566bb0ad253f62fc70f07aeee635711000000";

// BIP143 "P2SH-P2WPKH": the serialized signed transaction.
const char* const bip143_p2sh_p2wpkh_hex =
    "01000000000101db6b1b20aa0fd7b23880be2ecbd4a98130974cf4748fb66092ac4d3ceb1a54770100000017"
    "16001479091972186c449eb1ded22b78e40d009bdf0089feffffff02b8b4eb0b000000001976a914a457b684"
    "d7f0d539a46a45bbc043f35b59d0d96388ac0008af2f000000001976a914fd270b1ee6abcaea97fea7ad0402"
    "e8bd8ad6d77c88ac02473044022047ac8e878352d3ebbde1c94ce3a10d057c24175747116f8288e5d794d12d"
    "482f0220217f36a485cae903c713331d877c1f64677e3622ad4010726870540656fe9dcb012103ad1d8e8921"
    "2f0b92c74d23bb710c00662ad1470198ac48c43f7d6f93a2a2687392040000";

// BIP143 "Native P2WPKH": the unsigned transaction (legacy format, empty scriptSigs).
const char* const bip143_unsigned_hex =
    "0100000002fff7f7881a8099afa6940d42d1e7f6362bec38171ea3edf433541db4e4ad969f0000000000eeff"
    "ffffef51e1b804cc89d182d279655c3aa89e815b1b309fe287d9b2b55d57b90ec68a0100000000ffffffff02"
    "202cb206000000001976a9148280b37df378db99f66f85c95a783a76ac7a6d5988ac9093510d000000001976"
    "a9143bde42dbee7e4dbe6a21b2d50ce2f0167faa815988ac11000000";

TEST(Transaction, GenesisCoinbase) {
  const Bytes raw = unhex(genesis_coinbase_hex);
  const auto tx = parse_transaction(raw);
  ASSERT_TRUE(tx);
  EXPECT_EQ(txid_hex(*tx), "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b");
  EXPECT_EQ(wtxid(*tx), txid(*tx));
  EXPECT_TRUE(tx->is_coinbase());
  EXPECT_FALSE(tx->has_witness());
  EXPECT_EQ(tx->version, 1);
  ASSERT_EQ(tx->inputs.size(), 1u);
  EXPECT_EQ(tx->inputs[0].script_sig.size(), 0x4du);
  EXPECT_EQ(tx->inputs[0].sequence, 0xffffffffu);
  ASSERT_EQ(tx->outputs.size(), 1u);
  EXPECT_EQ(tx->outputs[0].value, 5'000'000'000);
  EXPECT_EQ(tx->outputs[0].script_pubkey.size(), 67u);  // P2PK: push 65-byte key, OP_CHECKSIG
  EXPECT_EQ(tx->locktime, 0u);
  EXPECT_EQ(serialize(*tx), raw);
  EXPECT_EQ(serialize_without_witness(*tx), raw);
}

TEST(Transaction, Bip143NativeP2wpkhSigned) {
  const Bytes raw = unhex(bip143_p2wpkh_hex);
  const auto tx = parse_transaction(raw);
  ASSERT_TRUE(tx);
  EXPECT_TRUE(tx->has_witness());
  EXPECT_FALSE(tx->is_coinbase());
  ASSERT_EQ(tx->inputs.size(), 2u);
  EXPECT_TRUE(tx->inputs[0].witness.empty());  // P2PK input, signed in the scriptSig
  ASSERT_EQ(tx->inputs[1].witness.size(), 2u);
  EXPECT_EQ(tx->inputs[1].witness[1],
            unhex("025476c2e83188368da1ff3e292e7acafcdb3566bb0ad253f62fc70f07aeee6357"));
  EXPECT_EQ(tx->inputs[0].sequence, 0xffffffeeu);
  EXPECT_EQ(to_reversed_hex(tx->inputs[0].prevout.txid),
            "9f96ade4b41d5433f4eda31e1738ec2b36f6e7d1420d94a6af99801a88f7f7ff");
  ASSERT_EQ(tx->outputs.size(), 2u);
  EXPECT_EQ(tx->outputs[0].value, 112'340'000);
  EXPECT_EQ(tx->outputs[1].value, 223'450'000);
  EXPECT_EQ(tx->locktime, 17u);
  EXPECT_EQ(serialize(*tx), raw);
  EXPECT_EQ(txid_hex(*tx), "e8151a2af31c368a35053ddd4bdb285a8595c769a3ad83e0fa02314a602d4609");
  EXPECT_EQ(wtxid_hex(*tx), "c36c38370907df2324d9ce9d149d191192f338b37665a82e78e76a12c909b762");

  // Without the witness the same inputs/outputs give the legacy form, whose hash is the txid.
  const auto legacy = parse_transaction(serialize_without_witness(*tx));
  ASSERT_TRUE(legacy);
  EXPECT_FALSE(legacy->has_witness());
  EXPECT_EQ(txid(*legacy), txid(*tx));
}

TEST(Transaction, Bip143NestedP2shP2wpkhSigned) {
  const Bytes raw = unhex(bip143_p2sh_p2wpkh_hex);
  const auto tx = parse_transaction(raw);
  ASSERT_TRUE(tx);
  EXPECT_EQ(serialize(*tx), raw);
  EXPECT_EQ(tx->inputs[0].script_sig, unhex("16001479091972186c449eb1ded22b78e40d009bdf0089"));
  EXPECT_EQ(txid_hex(*tx), "ef48d9d0f595052e0f8cdcf825f7a5e50b6a388a81f206f3f4846e5ecd7a0c23");
  EXPECT_EQ(wtxid_hex(*tx), "680f483b2bf6c5dcbf111e69e885ba248a41a5e92070cfb0afec3cfc49a9fabb");
}

TEST(Transaction, Bip143UnsignedLegacy) {
  const Bytes raw = unhex(bip143_unsigned_hex);
  const auto tx = parse_transaction(raw);
  ASSERT_TRUE(tx);
  EXPECT_FALSE(tx->has_witness());
  EXPECT_TRUE(tx->inputs[0].script_sig.empty());
  EXPECT_EQ(serialize(*tx), raw);
}

TEST(Transaction, BuiltTransactionRoundTrips) {
  Transaction tx;
  tx.version = 2;
  TxIn in;
  in.prevout.txid[0] = 0xaa;
  in.prevout.vout = 3;
  in.sequence = 0xfffffffd;
  in.witness = {Bytes(72, 0x30), Bytes(33, 0x02), Bytes{}};
  tx.inputs.push_back(in);
  tx.outputs.push_back(TxOut{-1, Bytes(300, 0x51)});  // 300 forces a 3-byte CompactSize
  tx.locktime = 500000;
  const auto parsed = parse_transaction(serialize(tx));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, tx);
}

TEST(Transaction, EveryTruncationIsRejected) {
  for (const char* hex :
       {genesis_coinbase_hex, bip143_p2wpkh_hex, bip143_p2sh_p2wpkh_hex, bip143_unsigned_hex}) {
    const Bytes raw = unhex(hex);
    for (std::size_t n = 0; n < raw.size(); ++n) {
      EXPECT_FALSE(parse_transaction(ByteSpan(raw).first(n))) << n;
    }
  }
}

TEST(Transaction, TrailingBytesAreRejectedButReaderStopsAtTheEnd) {
  Bytes raw = unhex(bip143_p2wpkh_hex);
  const std::size_t size = raw.size();
  const Bytes second = unhex(genesis_coinbase_hex);
  raw.insert(raw.end(), second.begin(), second.end());
  EXPECT_FALSE(parse_transaction(raw));

  ByteReader reader(raw);
  const auto first_tx = read_transaction(reader);
  ASSERT_TRUE(first_tx);
  EXPECT_EQ(reader.position(), size);
  const auto second_tx = read_transaction(reader);
  ASSERT_TRUE(second_tx);
  EXPECT_TRUE(second_tx->is_coinbase());
  EXPECT_TRUE(reader.empty());
  EXPECT_FALSE(read_transaction(reader));
  EXPECT_TRUE(reader.empty());
}

TEST(Transaction, SuperfluousWitnessMarkerIsRejected) {
  // The unsigned BIP143 transaction re-encoded with marker/flag and two empty witnesses.
  const auto tx = parse_transaction(unhex(bip143_unsigned_hex));
  ASSERT_TRUE(tx);
  const Bytes legacy = serialize(*tx);
  Bytes marked(legacy.begin(), legacy.begin() + 4);
  marked.push_back(0x00);
  marked.push_back(0x01);
  marked.insert(marked.end(), legacy.begin() + 4, legacy.end() - 4);
  marked.push_back(0x00);
  marked.push_back(0x00);
  marked.insert(marked.end(), legacy.end() - 4, legacy.end());
  EXPECT_FALSE(parse_transaction(marked));
}

TEST(Transaction, HostileCountsAreRejectedWithoutAllocating) {
  // version, then an input count of 2^32-1 with nothing behind it.
  EXPECT_FALSE(parse_transaction(unhex("01000000feffffffff")));
  // version, one input, then a script length of 2^64-1.
  Bytes huge_script = unhex("0100000001");
  huge_script.insert(huge_script.end(), 36, 0x00);
  const Bytes ff = unhex("ffffffffffffffffff");
  huge_script.insert(huge_script.end(), ff.begin(), ff.end());
  EXPECT_FALSE(parse_transaction(huge_script));
  // Segwit marker followed by a flag other than 1.
  EXPECT_FALSE(parse_transaction(unhex("010000000002")));
  // Zero inputs in legacy form collides with the marker and is rejected.
  EXPECT_FALSE(parse_transaction(unhex("01000000000100000000")));
}

TEST(Transaction, NonMinimalCountIsRejected) {
  // The genesis coinbase with its input count 0x01 re-encoded as fd 01 00.
  const Bytes raw = unhex(genesis_coinbase_hex);
  Bytes bad(raw.begin(), raw.begin() + 4);
  bad.push_back(0xfd);
  bad.push_back(0x01);
  bad.push_back(0x00);
  bad.insert(bad.end(), raw.begin() + 5, raw.end());
  EXPECT_FALSE(parse_transaction(bad));
}

TEST(Transaction, OversizeInputIsRejected) {
  EXPECT_FALSE(parse_transaction(Bytes(max_transaction_size + 1, 0)));
}

}  // namespace
}  // namespace eo::bitcoin
