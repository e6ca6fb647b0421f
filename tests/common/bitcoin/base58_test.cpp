// Base58 against Bitcoin Core's base58_encode_decode.json, and Base58Check checksums.
#include "common/bitcoin/base58.h"

#include "common/bitcoin/hex.h"
#include "tests/common/bitcoin/test_hex.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace eo::bitcoin {
namespace {

using testing::unhex;

// bitcoin/bitcoin src/test/data/base58_encode_decode.json (hex, base58).
const std::vector<std::pair<std::string, std::string>> core_vectors = {
    {"", ""},
    {"61", "2g"},
    {"626262", "a3gV"},
    {"636363", "aPEr"},
    {"73696d706c792061206c6f6e6720737472696e67", "2cFupjhnEsSn59qHXstmK2ffpLv2"},
    {"00eb15231dfceb60925886b67d065299925915aeb172c06647", "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L"},
    {"516b6fcd0f", "ABnLTmg"},
    {"bf4f89001e670274dd", "3SEo3LWLoPntC"},
    {"572e4794", "3EFU7m"},
    {"ecac89cad93923c02321", "EJDM8drfXA6uyA"},
    {"10c8511e", "Rt5zm"},
    {"00000000000000000000", "1111111111"},
    {"00000000000000000000000000000000000000000000000000000000000000000000000000000000",
     "1111111111111111111111111111111111111111"},
    {"00000000000000000000000000000000000000000000000000000000000000000000000000000001",
     "1111111111111111111111111111111111111112"},
    {"000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "0000ec39d04c37e71e5d591881f6",
     "111111111111111111111111111111111111111111111111111111111111111111111111111111111111"
     "115TYzLYH1udmLdzCLM"},
    {"000111d38e5fc9071ffcd20b4a763cc9ae4f252bb4e48fd66a835e252ada93ff480d6dd43dc62a641155"
     "a5",
     "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"},
    {"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223242526272829"
     "2a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f50515253"
     "5455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d"
     "7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7"
     "a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1"
     "d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafb"
     "fcfdfeff",
     "1cWB5HCBdLjAuqGGReWE3R3CguuwSjw6RHn39s2yuDRTS5NsBgNiFpWgAnEx6VQi8csexkgYw3mdYrMHr8x9"
     "i7aEwP8kZ7vccXWqKDvGv3u1GxFKPuAkn8JCPPGDMf3vMMnbzm6Nh9zh1gcNsMvH3ZNLmP5fSG6DGbbi2tuw"
     "MWPthr4boWwCxf7ewSgNQeacyozhKDDQQ1qL5fQFUW52QKUZDZ5fw3KXNQJMcNTcaB723LchjeKun7MuGW5q"
     "yCBZYzA1KjofN1gYBV3NqyhQJ3Ns746GNuf9N2pQPmHz4xpnSrrfCvy6TVVz5d4PdrjeshsWQwpZsZGzvbdA"
     "dN8MKV5QsBDY"},
    {"271F359E", "zzzzy"},
    {"271F359F", "zzzzz"},
    {"271F35A0", "211111"},
    {"271F35A1", "211112"},
};

TEST(Base58, CoreVectorsEncode) {
  for (const auto& [hex, text] : core_vectors) {
    EXPECT_EQ(base58_encode(unhex(hex)), text) << hex;
  }
}

TEST(Base58, CoreVectorsDecode) {
  for (const auto& [hex, text] : core_vectors) {
    const auto decoded = base58_decode(text);
    ASSERT_TRUE(decoded) << text;
    EXPECT_EQ(*decoded, unhex(hex)) << text;
  }
}

TEST(Base58, AllBytesRoundTrip) {
  Bytes all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<std::uint8_t>(i));
  EXPECT_EQ(base58_decode(base58_encode(all)), all);
}

TEST(Base58, RejectsCharactersOutsideTheAlphabet) {
  for (const char* bad : {"0", "O", "I", "l", "abc+", " 2g", "2g ", "2\xff"}) {
    EXPECT_FALSE(base58_decode(bad)) << bad;
  }
}

TEST(Base58, RejectsOverlongInput) {
  EXPECT_FALSE(base58_decode(std::string(base58_max_decode_chars + 1, '2')));
  EXPECT_TRUE(base58_decode(std::string(base58_max_decode_chars, '2')));
}

TEST(Base58Check, DecodesGenesisAddress) {
  const auto payload = base58check_decode("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa");
  ASSERT_TRUE(payload);
  EXPECT_EQ(to_hex(*payload), "0062e907b15cbf27d5425399ebf6f0fb50ebb88f18");
  EXPECT_EQ(base58check_encode(*payload), "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa");
}

TEST(Base58Check, RejectsBadChecksumAndShortInput) {
  EXPECT_FALSE(base58check_decode("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb"));
  EXPECT_FALSE(base58check_decode("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfN"));
  EXPECT_FALSE(base58check_decode(""));
  EXPECT_FALSE(base58check_decode("111"));
}

TEST(Base58Check, EmptyPayloadRoundTrips) {
  const std::string encoded = base58check_encode(Bytes{});
  EXPECT_EQ(base58check_decode(encoded), Bytes{});
}

}  // namespace
}  // namespace eo::bitcoin
