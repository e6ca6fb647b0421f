// Mining: the regtest genesis block, BIP34 height pushes, the subsidy schedule, and mined
// headers that link, meet the regtest target, commit to their transactions and keep time.
#include "honeypot/chain/mining.h"

#include "common/bitcoin/hex.h"
#include "common/bitcoin/merkle.h"
#include "common/bitcoin/script.h"
#include "honeypot/chain/regtest_chain.h"

#include <gtest/gtest.h>

namespace eo::honeypot::chain {
namespace {

using bitcoin::Bytes;

const Bytes payout = bitcoin::p2wpkh_script(bitcoin::Hash160{7});

bitcoin::BlockHeader header_at(const RegtestChain& chain, std::int64_t height) {
  const auto hex = chain.header_hex(height);
  if (!hex) std::abort();
  return *bitcoin::parse_block_header(*bitcoin::from_hex(*hex));
}

bitcoin::Transaction coinbase_at(const RegtestChain& chain, std::int64_t height) {
  const auto txids = chain.block_txids(height);
  const auto raw = chain.transaction_hex(txids->front());
  return *bitcoin::parse_transaction(*bitcoin::from_hex(*raw));
}

TEST(Mining, GenesisIsTheRegtestGenesis) {
  const RegtestChain chain;
  EXPECT_EQ(chain.tip_height(), 0);
  EXPECT_EQ(chain.genesis_hash(),
            "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206");
  EXPECT_EQ(chain.header_hex(0),
            "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a"
            "7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4adae5494dffff7f2002000000");
  EXPECT_EQ(chain.header_hex(1), std::nullopt);
  EXPECT_EQ(chain.header_hex(-1), std::nullopt);
  const auto genesis = regtest_genesis_block();
  ASSERT_EQ(genesis.txids.size(), 1u);
  EXPECT_EQ(bitcoin::to_reversed_hex(genesis.txids[0]),
            "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b");
}

TEST(Mining, Bip34HeightPush) {
  const std::pair<std::int64_t, const char*> vectors[] = {
      {0, "00"},         {1, "51"},           {16, "60"},           {17, "0111"},
      {127, "017f"},     {128, "028000"},     {255, "02ff00"},      {256, "020001"},
      {32767, "02ff7f"}, {32768, "03008000"}, {100000, "03a08601"},
  };
  for (const auto& [height, hex] : vectors) {
    EXPECT_EQ(bitcoin::to_hex(bip34_height_push(height)), hex) << height;
    EXPECT_EQ(bip34_height(bip34_height_push(height)), height) << height;
  }
  EXPECT_EQ(bip34_height(*bitcoin::from_hex("0105")), std::nullopt);    // Core writes OP_5
  EXPECT_EQ(bip34_height(*bitcoin::from_hex("021100")), std::nullopt);  // not minimal
  EXPECT_EQ(bip34_height(*bitcoin::from_hex("0181")), std::nullopt);    // negative
  EXPECT_EQ(bip34_height(*bitcoin::from_hex("02ff")), std::nullopt);    // truncated
  EXPECT_EQ(bip34_height({}), std::nullopt);
}

TEST(Mining, SubsidyHalvesEvery150Blocks) {
  EXPECT_EQ(block_subsidy(1), 50 * coin);
  EXPECT_EQ(block_subsidy(149), 50 * coin);
  EXPECT_EQ(block_subsidy(150), 25 * coin);
  EXPECT_EQ(block_subsidy(300), 1'250'000'000);
  EXPECT_EQ(block_subsidy(150 * 63), 0);  // 5e9 >> 63
  EXPECT_EQ(block_subsidy(150 * 64), 0);
}

TEST(Mining, HeadersLinkMeetTheTargetAndKeepTime) {
  RegtestChain chain;
  ASSERT_EQ(chain.mine_blocks(20, payout), 20u);
  ASSERT_EQ(chain.mine_block(payout, 1), 21);  // a time in the past is raised
  ASSERT_EQ(chain.mine_block(payout, 2'000'000'000u), 22);
  ASSERT_EQ(chain.tip_height(), 22);
  for (std::int64_t height = 1; height <= chain.tip_height(); ++height) {
    const bitcoin::BlockHeader header = header_at(chain, height);
    const bitcoin::BlockHeader prev = header_at(chain, height - 1);
    EXPECT_EQ(header.prev_hash, bitcoin::block_hash(prev)) << height;
    EXPECT_EQ(header.bits, 0x207fffffu);
    EXPECT_TRUE(bitcoin::check_proof_of_work(header, bitcoin::Network::regtest)) << height;
    EXPECT_GT(header.time, prev.time) << height;
  }
  EXPECT_EQ(header_at(chain, 1).time, header_at(chain, 0).time + 600);
  EXPECT_EQ(header_at(chain, 21).time, header_at(chain, 20).time + 1);
  EXPECT_EQ(header_at(chain, 22).time, 2'000'000'000u);
}

TEST(Mining, CoinbaseCarriesHeightPayoutAndWitnessCommitment) {
  RegtestChain chain;
  ASSERT_EQ(chain.mine_blocks(17, payout), 17u);
  for (const std::int64_t height : {1, 16, 17}) {
    const bitcoin::Transaction coinbase = coinbase_at(chain, height);
    ASSERT_TRUE(coinbase.is_coinbase());
    EXPECT_EQ(bip34_height(coinbase.inputs[0].script_sig), height);
    EXPECT_GE(coinbase.inputs[0].script_sig.size(), 2u);  // Core's bad-cb-length minimum
    ASSERT_EQ(coinbase.outputs.size(), 2u);
    EXPECT_EQ(coinbase.outputs[0].value, 50 * coin);
    EXPECT_EQ(coinbase.outputs[0].script_pubkey, payout);
    EXPECT_EQ(coinbase.outputs[1].value, 0);
    EXPECT_EQ(coinbase.outputs[1].script_pubkey, witness_commitment_script({}));
    EXPECT_EQ(bitcoin::to_hex(coinbase.outputs[1].script_pubkey).substr(0, 12), "6a24aa21a9ed");
    ASSERT_EQ(coinbase.inputs[0].witness.size(), 1u);
    EXPECT_EQ(coinbase.inputs[0].witness[0], Bytes(32, 0));
    // The header commits to the block's transactions.
    std::vector<bitcoin::Hash256> leaves;
    const auto txids = chain.block_txids(height);
    ASSERT_TRUE(txids);
    for (const auto& txid : *txids) {
      leaves.push_back(*bitcoin::hash256_from_display_hex(txid));
    }
    EXPECT_EQ(bitcoin::merkle_root(leaves), header_at(chain, height).merkle_root);
  }
  // The payout script's history lists each coinbase, at its height.
  const auto history = chain.history(bitcoin::electrum_scripthash(payout));
  ASSERT_EQ(history.size(), 17u);
  EXPECT_EQ(history[0].height, 1);
  EXPECT_EQ(history[16].height, 17);
  EXPECT_EQ(chain.balance(bitcoin::electrum_scripthash(payout)).confirmed, 17 * 50 * coin);
}

TEST(Mining, StopsAtTheConfiguredBounds) {
  RegtestConfig config;
  config.max_height = 5;
  config.max_blocks_per_call = 3;
  RegtestChain chain(config);
  EXPECT_EQ(chain.mine_blocks(100, payout), 3u);
  EXPECT_EQ(chain.mine_blocks(100, payout), 2u);
  EXPECT_EQ(chain.mine_block(payout), std::nullopt);
  EXPECT_EQ(chain.tip_height(), 5);
  RegtestChain other;
  EXPECT_EQ(other.mine_block(Bytes(10'001, 0x51)), std::nullopt);
  EXPECT_EQ(other.mine_block(payout, 0xffffffffu), 1);
  EXPECT_EQ(other.mine_block(payout), std::nullopt);  // time would pass 2^32 - 1
}

TEST(Mining, BadConfigIsNamed) {
  RegtestConfig config;
  config.funding_seed = Bytes(8, 1);
  try {
    RegtestChain chain(config);
    FAIL() << "accepted an 8-byte seed";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("funding_seed"), std::string::npos) << e.what();
  }
  config = {};
  config.max_mempool_bytes = 2'000'000;
  EXPECT_THROW(RegtestChain{config}, std::invalid_argument);
}

}  // namespace
}  // namespace eo::honeypot::chain
