// Block headers: genesis blocks of mainnet, testnet and regtest, compact targets and PoW.
#include "common/bitcoin/header.h"

#include "common/bitcoin/hex.h"
#include "tests/common/bitcoin/test_hex.h"

#include <gtest/gtest.h>

namespace eo::bitcoin {
namespace {

using testing::unhex;

// The mainnet genesis header as it is serialized on the wire.
const char* const mainnet_genesis_hex =
    "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27a"
    "c72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c";

TEST(BlockHeader, MainnetGenesis) {
  const auto header = parse_block_header(unhex(mainnet_genesis_hex));
  ASSERT_TRUE(header);
  EXPECT_EQ(header->version, 1);
  EXPECT_EQ(header->prev_hash, Hash256{});
  EXPECT_EQ(to_reversed_hex(header->merkle_root),
            "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b");
  EXPECT_EQ(header->time, 1231006505u);
  EXPECT_EQ(header->bits, 0x1d00ffffu);
  EXPECT_EQ(header->nonce, 2083236893u);
  EXPECT_EQ(block_hash_hex(*header),
            "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f");
  EXPECT_EQ(block_hash_hex(*header), mainnet_genesis_hash);
  EXPECT_EQ(to_hex(serialize(*header)), mainnet_genesis_hex);
  EXPECT_EQ(genesis_header(Network::mainnet), *header);
  EXPECT_TRUE(check_proof_of_work(*header));
  EXPECT_TRUE(check_proof_of_work(*header, Network::mainnet));
}

TEST(BlockHeader, RegtestGenesis) {
  const BlockHeader header = genesis_header(Network::regtest);
  EXPECT_EQ(block_hash_hex(header),
            "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206");
  EXPECT_EQ(block_hash_hex(header), regtest_genesis_hash);
  EXPECT_TRUE(check_proof_of_work(header));
  EXPECT_TRUE(check_proof_of_work(header, Network::regtest));
  // Regtest's easy target is above mainnet's limit.
  EXPECT_FALSE(check_proof_of_work(header, Network::mainnet));
  const auto reparsed = parse_block_header(serialize(header));
  ASSERT_TRUE(reparsed);
  EXPECT_EQ(*reparsed, header);
}

TEST(BlockHeader, TestnetGenesis) {
  const BlockHeader header = genesis_header(Network::testnet);
  EXPECT_EQ(block_hash_hex(header), testnet_genesis_hash);
  EXPECT_TRUE(check_proof_of_work(header, Network::testnet));
}

TEST(BlockHeader, TamperedHeaderFailsProofOfWork) {
  BlockHeader header = genesis_header(Network::mainnet);
  header.nonce += 1;
  EXPECT_FALSE(check_proof_of_work(header));
  header = genesis_header(Network::mainnet);
  header.time += 1;
  EXPECT_FALSE(check_proof_of_work(header));
}

TEST(BlockHeader, ParseRequiresExactly80Bytes) {
  const Bytes bytes = unhex(mainnet_genesis_hex);
  EXPECT_FALSE(parse_block_header(ByteSpan(bytes).first(79)));
  Bytes longer = bytes;
  longer.push_back(0);
  EXPECT_FALSE(parse_block_header(longer));
  EXPECT_FALSE(parse_block_header(Bytes{}));
}

TEST(Target, FromBits) {
  // 0x1d00ffff: 0xffff * 256^(0x1d - 3), shown big-endian.
  const auto target = target_from_bits(0x1d00ffff);
  ASSERT_TRUE(target);
  EXPECT_EQ(to_reversed_hex(*target),
            "00000000ffff0000000000000000000000000000000000000000000000000000");
  const auto regtest = target_from_bits(0x207fffff);
  ASSERT_TRUE(regtest);
  EXPECT_EQ(to_reversed_hex(*regtest),
            "7fffff0000000000000000000000000000000000000000000000000000000000");
  // Small exponents shift the mantissa right.
  EXPECT_EQ(to_reversed_hex(*target_from_bits(0x01123456)),
            "0000000000000000000000000000000000000000000000000000000000000012");
  EXPECT_EQ(to_reversed_hex(*target_from_bits(0x03123456)),
            "0000000000000000000000000000000000000000000000000000000000123456");
  EXPECT_EQ(to_reversed_hex(*target_from_bits(0x04123456)),
            "0000000000000000000000000000000000000000000000000000000012345600");
}

TEST(Target, RejectsNegativeOverflowAndZero) {
  EXPECT_FALSE(target_from_bits(0x04923456));  // sign bit set
  EXPECT_FALSE(target_from_bits(0xff123456));  // overflow
  EXPECT_FALSE(target_from_bits(0x21010000));  // 0x01 * 256^33 overflows 256 bits
  EXPECT_FALSE(target_from_bits(0x00000000));
  EXPECT_FALSE(target_from_bits(0x01003456));  // shifts to zero
  EXPECT_TRUE(target_from_bits(0x22000001));   // 0x01 * 256^31 still fits
  EXPECT_FALSE(target_from_bits(0x20ffffff));  // mantissa 0xffffff has the sign bit set
}

TEST(Target, CompareLittleEndian) {
  Hash256 a{};
  Hash256 b{};
  a[0] = 2;
  b[31] = 1;
  EXPECT_EQ(compare_le256(a, b), -1);
  EXPECT_EQ(compare_le256(b, a), 1);
  EXPECT_EQ(compare_le256(a, a), 0);
}

TEST(Target, PowLimits) {
  EXPECT_EQ(to_reversed_hex(pow_limit(Network::mainnet)),
            "00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
  EXPECT_EQ(pow_limit(Network::testnet), pow_limit(Network::mainnet));
  EXPECT_EQ(to_reversed_hex(pow_limit(Network::regtest)),
            "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
}

}  // namespace
}  // namespace eo::bitcoin
