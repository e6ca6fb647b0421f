// Broadcast acceptance: each Bitcoin Core reject reason the chain gives, and the mempool bounds.
#include "honeypot/chain/mempool_accept.h"

#include "common/bitcoin/script.h"
#include "honeypot/chain/regtest_chain.h"
#include "tests/honeypot/chain/test_util.h"

#include <gtest/gtest.h>

namespace eo::honeypot::chain {
namespace {

using bitcoin::Bytes;
using bitcoin::TxOut;
using testing::hex_of;
using testing::outpoint;
using testing::spend;

const Bytes miner = bitcoin::p2wpkh_script(bitcoin::Hash160{1});
const Bytes dest = bitcoin::p2wpkh_script(bitcoin::Hash160{2});

// 100 blocks to `miner`: the height-1 coinbase is exactly mature for the next block.
class MempoolAccept : public ::testing::Test {
 protected:
  explicit MempoolAccept(RegtestConfig config = {}) : chain_(config) {
    if (chain_.mine_blocks(100, miner) != 100) std::abort();
  }

  bitcoin::OutPoint coinbase_output(std::int64_t height) const {
    return outpoint(chain_.block_txids(height)->front(), 0);
  }

  std::string reject_reason(const bitcoin::Transaction& tx) {
    const BroadcastResult result = chain_.broadcast(hex_of(tx));
    EXPECT_FALSE(result.accepted);
    return result.error;
  }

  RegtestChain chain_;
};

TEST_F(MempoolAccept, AcceptsASpendOfAMatureCoinbase) {
  const auto tx = spend({coinbase_output(1)}, {TxOut{50 * coin - 1000, dest}});
  const BroadcastResult result = chain_.broadcast(hex_of(tx));
  EXPECT_TRUE(result.accepted) << result.error;
  EXPECT_EQ(result.txid, bitcoin::txid_hex(tx));
  EXPECT_TRUE(result.error.empty());
  EXPECT_EQ(chain_.mempool_size(), 1u);
}

TEST_F(MempoolAccept, RejectsUndecodable) {
  for (const char* hex : {"", "zz", "0", "0100000000", "deadbeef"}) {
    const BroadcastResult result = chain_.broadcast(hex);
    EXPECT_FALSE(result.accepted) << hex;
    EXPECT_EQ(result.error, "TX decode failed") << hex;
  }
  const auto tx = spend({coinbase_output(1)}, {TxOut{1000, dest}});
  EXPECT_EQ(chain_.broadcast(hex_of(tx) + "00").error, "TX decode failed");  // trailing byte
  EXPECT_EQ(chain_.broadcast(std::string(2 * 100'000 + 2, 'a')).error, "tx-size");
}

TEST_F(MempoolAccept, RejectsMalformedTransactions) {
  EXPECT_EQ(reject_reason(spend({coinbase_output(1)}, {})), "bad-txns-vout-empty");
  EXPECT_EQ(reject_reason(spend({coinbase_output(1)}, {TxOut{-1, dest}})),
            "bad-txns-vout-negative");
  EXPECT_EQ(reject_reason(spend({coinbase_output(1)}, {TxOut{max_money + 1, dest}})),
            "bad-txns-vout-toolarge");
  EXPECT_EQ(reject_reason(spend({coinbase_output(1)}, {TxOut{max_money, dest}, TxOut{1, dest}})),
            "bad-txns-txouttotal-toolarge");
  EXPECT_EQ(reject_reason(spend({coinbase_output(1), coinbase_output(1)}, {TxOut{1000, dest}})),
            "bad-txns-inputs-duplicate");
  bitcoin::Transaction coinbase = spend({bitcoin::OutPoint{{}, 0xffffffff}}, {TxOut{1, dest}});
  coinbase.inputs[0].script_sig = {0x01, 0x65};
  EXPECT_EQ(reject_reason(coinbase), "coinbase");
}

TEST_F(MempoolAccept, RejectsUnknownSpentAndConflictingInputs) {
  const auto unknown = spend({outpoint(std::string(64, 'a'), 0)}, {TxOut{1000, dest}});
  EXPECT_EQ(reject_reason(unknown), "bad-txns-inputs-missingorspent");
  const auto bad_vout = spend({bitcoin::OutPoint{coinbase_output(1).txid, 7}}, {TxOut{1, dest}});
  EXPECT_EQ(reject_reason(bad_vout), "bad-txns-inputs-missingorspent");

  const auto first = spend({coinbase_output(1)}, {TxOut{50 * coin - 1000, dest}});
  ASSERT_TRUE(chain_.broadcast(hex_of(first)).accepted);
  EXPECT_EQ(reject_reason(first), "txn-already-in-mempool");
  const auto double_spend = spend({coinbase_output(1)}, {TxOut{50 * coin - 2000, miner}});
  EXPECT_EQ(reject_reason(double_spend), "txn-mempool-conflict");

  ASSERT_TRUE(chain_.mine_block(miner));
  EXPECT_EQ(reject_reason(first), "txn-already-known");
  EXPECT_EQ(reject_reason(double_spend), "bad-txns-inputs-missingorspent");
  EXPECT_EQ(chain_.mempool_size(), 0u);
}

TEST_F(MempoolAccept, RejectsImmatureCoinbaseOverspendAndLowFee) {
  EXPECT_EQ(reject_reason(spend({coinbase_output(2)}, {TxOut{1000, dest}})),
            "bad-txns-premature-spend-of-coinbase, tried to spend coinbase at depth 99");
  EXPECT_EQ(reject_reason(spend({coinbase_output(1)}, {TxOut{50 * coin + 1, dest}})),
            "bad-txns-in-belowout");
  // 82 vbytes at 1 sat/vB need 82 sat; 50 is too little.
  const auto low_fee = spend({coinbase_output(1)}, {TxOut{50 * coin - 50, dest}});
  EXPECT_EQ(reject_reason(low_fee), "min relay fee not met, 50 < 82");
}

TEST_F(MempoolAccept, ChildOfAMempoolTransactionIsAccepted) {
  const auto parent = spend({coinbase_output(1)}, {TxOut{50 * coin - 1000, dest}});
  ASSERT_TRUE(chain_.broadcast(hex_of(parent)).accepted);
  const auto child =
      spend({outpoint(bitcoin::txid_hex(parent), 0)}, {TxOut{50 * coin - 2000, miner}});
  EXPECT_TRUE(chain_.broadcast(hex_of(child)).accepted);
  const auto history = chain_.mempool(bitcoin::electrum_scripthash(dest));
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].height, 0);   // confirmed inputs
  EXPECT_EQ(history[1].height, -1);  // spends the unconfirmed parent
  EXPECT_EQ(history[1].fee, 1000);
}

class BoundedMempool : public MempoolAccept {
 protected:
  static RegtestConfig small() {
    RegtestConfig config;
    config.max_mempool_txs = 2;
    return config;
  }
  BoundedMempool() : MempoolAccept(small()) {}
};

TEST_F(BoundedMempool, AFloodIsCutAtTheCap) {
  bitcoin::OutPoint prev = coinbase_output(1);
  std::int64_t value = 50 * coin;
  for (int i = 0; i < 5; ++i) {
    value -= 1000;
    const auto tx = spend({prev}, {TxOut{value, dest}});
    const BroadcastResult result = chain_.broadcast(hex_of(tx));
    if (i < 2) {
      EXPECT_TRUE(result.accepted) << i << result.error;
      prev = outpoint(bitcoin::txid_hex(tx), 0);
    } else {
      EXPECT_EQ(result.error, "mempool full") << i;
    }
  }
  EXPECT_EQ(chain_.mempool_size(), 2u);
  ASSERT_TRUE(chain_.mine_block(miner));  // mining makes room again
  EXPECT_EQ(chain_.mempool_size(), 0u);
}

}  // namespace
}  // namespace eo::honeypot::chain
