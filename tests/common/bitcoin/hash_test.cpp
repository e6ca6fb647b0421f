// Hash functions against FIPS 180-2, RIPEMD-160's paper, RFC 4231 and BIP143/BIP341 vectors.
#include "common/bitcoin/hash.h"

#include "common/bitcoin/hex.h"
#include "tests/common/bitcoin/test_hex.h"

#include <gtest/gtest.h>

namespace eo::bitcoin {
namespace {

using testing::as_bytes;
using testing::unhex;

TEST(Hash, Sha256KnownAnswers) {
  EXPECT_EQ(to_hex(sha256(as_bytes(""))),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(to_hex(sha256(as_bytes("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Hash, DoubleSha256IsSha256Twice) {
  const auto once = sha256(as_bytes("abc"));
  EXPECT_EQ(double_sha256(as_bytes("abc")), sha256(once));
  EXPECT_EQ(sha256d(as_bytes("abc")), sha256(once));
}

TEST(Hash, Ripemd160KnownAnswers) {
  EXPECT_EQ(to_hex(ripemd160(as_bytes(""))), "9c1185a5c5e9fc54612808977ee8f548b2258d31");
  EXPECT_EQ(to_hex(ripemd160(as_bytes("abc"))), "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc");
}

TEST(Hash, Hash160OfBip143PublicKey) {
  // BIP143 native P2WPKH example: the key's witness program is its HASH160.
  const Bytes pubkey = unhex("025476c2e83188368da1ff3e292e7acafcdb3566bb0ad253f62fc70f07aeee6357");
  EXPECT_EQ(to_hex(hash160(pubkey)), "1d0f172a0ecb48aee1be1f2687d2963ae33f71a1");
}

TEST(Hash, HmacSha512Rfc4231Case2) {
  EXPECT_EQ(to_hex(hmac_sha512(as_bytes("Jefe"), as_bytes("what do ya want for nothing?"))),
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
            "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737");
}

TEST(Hash, TaggedHashTapTweakFromBip341WalletVectors) {
  // bip-0341/wallet-test-vectors.json, scriptPubKey[0]: key-path only, so the tweak is
  // tagged_hash("TapTweak", internal key).
  const Bytes internal = unhex("d6889cb081036e0faefa3a35157ad71086b123b2b144b649798b494c300a961d");
  EXPECT_EQ(to_hex(tagged_hash("TapTweak", internal)),
            "b86e7be8f39bab32a6f2c0443abbc210f0edac0e2c53d501b36b64437d9c6c70");
}

TEST(Hash, TaggedHashMatchesDefinition) {
  const auto tag = sha256(as_bytes("BIP0340/challenge"));
  Bytes preimage(tag.begin(), tag.end());
  preimage.insert(preimage.end(), tag.begin(), tag.end());
  preimage.push_back(0x42);
  const Bytes data{0x42};
  EXPECT_EQ(tagged_hash("BIP0340/challenge", data), sha256(preimage));
}

}  // namespace
}  // namespace eo::bitcoin
