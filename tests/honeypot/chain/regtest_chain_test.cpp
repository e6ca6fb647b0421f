// The chain as an Electrum wallet sees it: paid from the funding key to a BIP84 test account,
// SPV proofs against the headers, Electrum's status, a signed spend through the mempool into a
// block, rejections, and change notifications.
#include "honeypot/chain/regtest_chain.h"

#include "common/bitcoin/hash.h"
#include "common/bitcoin/hex.h"
#include "common/bitcoin/merkle.h"
#include "common/bitcoin/sign.h"
#include "common/bitcoin/wallet_script.h"
#include "honeypot/chain/status.h"
#include "tests/honeypot/chain/test_util.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace eo::honeypot::chain {
namespace {

using bitcoin::Bytes;
using bitcoin::TxOut;
using testing::hex_of;
using testing::outpoint;
using testing::spend;

// BIP84's test account (mnemonic "abandon ... about"), m/84'/0'/0'.
constexpr const char* bip84_root =
    "zprvAWgYBBk7JR8Gjrh4UJQ2uJdG1r3WNRRfURiABBE3RvMXYSrRJL62XuezvGdPvG6GFBZduosCc1YP5wixPox7"
    "zhZLfiUm8aunE96BBa4Kei5";
constexpr const char* bip84_zpub =
    "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDK"
    "f31mGDtKsAYz2oz2AGutZYs";
constexpr const char* bip84_receive0 = "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu";
constexpr const char* bip84_receive1 = "bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g";

std::string scripthash_of_address(const char* address) {
  const auto script = bitcoin::address_to_script(address, bitcoin::Network::mainnet);
  if (!script) std::abort();
  return bitcoin::electrum_scripthash(*script);
}

bitcoin::Transaction tx_of(const RegtestChain& chain, const std::string& txid) {
  const auto raw = chain.transaction_hex(txid);
  if (!raw) std::abort();
  return *bitcoin::parse_transaction(*bitcoin::from_hex(*raw));
}

bitcoin::Hash256 merkle_root_at(const RegtestChain& chain, std::int64_t height) {
  return bitcoin::parse_block_header(*bitcoin::from_hex(*chain.header_hex(height)))->merkle_root;
}

// Every transaction of a block proves its place against the header's merkle root, as
// Electrum's verifier checks it.
void expect_proofs_verify(const RegtestChain& chain, std::int64_t height) {
  const auto txids = chain.block_txids(height);
  ASSERT_TRUE(txids);
  for (std::size_t pos = 0; pos < txids->size(); ++pos) {
    const std::string& txid = (*txids)[pos];
    const auto proof = chain.merkle_proof(txid, height);
    ASSERT_TRUE(proof) << txid;
    EXPECT_EQ(proof->block_height, height);
    EXPECT_EQ(proof->pos, pos);
    const auto branch = bitcoin::merkle_branch_from_display_hex(proof->merkle, proof->pos);
    ASSERT_TRUE(branch);
    EXPECT_TRUE(bitcoin::verify_merkle_branch(*bitcoin::hash256_from_display_hex(txid), *branch,
                                              merkle_root_at(chain, height)))
        << txid;
    EXPECT_FALSE(chain.merkle_proof(txid, height + 1));  // wrong height: no proof
  }
}

class PaidAccount : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = *bitcoin::ExtendedPrivKey::parse(bip84_root);
    zpub_ = *bitcoin::ExtendedPubKey::parse(bip84_zpub);
    chain_.on_change([this](const ChainChange& change) { changes_.push_back(change); });
    paid_ = chain_.pay_to_xpub(zpub_, bitcoin::OutputType::p2wpkh, 3, {100'000, 200'000, 300'000});
    ASSERT_TRUE(paid_.ok) << paid_.error;
    for (std::uint32_t i = 0; i < 3; ++i) {
      const auto script =
          bitcoin::output_script_for_child(bitcoin::OutputType::p2wpkh, *zpub_.derive_child(0), i);
      receive_.push_back(bitcoin::electrum_scripthash(*script));
    }
  }

  bitcoin::SecretKey receive_key(std::uint32_t index) const {
    return root_->derive_path("m/84'/0'/0'/0/" + std::to_string(index))->private_key();
  }

  RegtestChain chain_;
  std::optional<bitcoin::ExtendedPrivKey> root_;
  bitcoin::ExtendedPubKey zpub_;
  PaymentResult paid_;
  std::vector<std::string> receive_;  // script hashes of m/0/0, m/0/1, m/0/2
  std::vector<ChainChange> changes_;
};

TEST_F(PaidAccount, FundingMined101BlocksThenThePayment) {
  EXPECT_EQ(paid_.height, 102);
  EXPECT_EQ(chain_.tip_height(), 102);
  EXPECT_EQ(changes_.size(), 103u);  // 101 funding blocks, the payment's broadcast, its block
  EXPECT_EQ(changes_[101].tip_height, 101);
  EXPECT_EQ(changes_[102].tip_height, 102);
  EXPECT_EQ(receive_[0], scripthash_of_address(bip84_receive0));
  EXPECT_EQ(receive_[1], scripthash_of_address(bip84_receive1));
}

TEST_F(PaidAccount, BalancesHistoriesAndUnspent) {
  const std::int64_t amounts[] = {100'000, 200'000, 300'000};
  for (std::size_t i = 0; i < 3; ++i) {
    const Balance balance = chain_.balance(receive_[i]);
    EXPECT_EQ(balance.confirmed, amounts[i]) << i;
    EXPECT_EQ(balance.unconfirmed, 0) << i;
    const auto history = chain_.history(receive_[i]);
    ASSERT_EQ(history.size(), 1u);
    EXPECT_EQ(history[0].tx_hash, paid_.txid);
    EXPECT_EQ(history[0].height, 102);
    EXPECT_TRUE(chain_.mempool(receive_[i]).empty());
    const auto utxos = chain_.unspent(receive_[i]);
    ASSERT_EQ(utxos.size(), 1u);
    EXPECT_EQ(utxos[0].tx_hash, paid_.txid);
    EXPECT_EQ(utxos[0].tx_pos, i);
    EXPECT_EQ(utxos[0].height, 102);
    EXPECT_EQ(utxos[0].value, amounts[i]);
  }
  // An unused address has nothing; script hashes are case-insensitive.
  const auto unused = bitcoin::electrum_scripthash(
      *bitcoin::output_script_for_child(bitcoin::OutputType::p2wpkh, *zpub_.derive_child(0), 3));
  EXPECT_TRUE(chain_.history(unused).empty());
  EXPECT_EQ(chain_.status(unused), std::nullopt);
  std::string upper = receive_[0];
  std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
  EXPECT_EQ(chain_.balance(upper).confirmed, 100'000);
}

TEST_F(PaidAccount, StatusIsElectrumsHashOfTheHistory) {
  const std::string expected_text = paid_.txid + ":102:";
  const auto digest = bitcoin::sha256(bitcoin::ByteSpan(
      reinterpret_cast<const std::uint8_t*>(expected_text.data()), expected_text.size()));
  EXPECT_EQ(chain_.status(receive_[0]), bitcoin::to_hex(digest));
}

TEST_F(PaidAccount, PaymentIsSignedByTheFundingKeyAtTheFeeRate) {
  const bitcoin::Transaction tx = tx_of(chain_, paid_.txid);
  ASSERT_EQ(tx.outputs.size(), 4u);  // three payments, then change
  EXPECT_EQ(tx.outputs[3].script_pubkey, chain_.funding_script());
  std::int64_t value_in = 0;
  for (std::size_t i = 0; i < tx.inputs.size(); ++i) {
    const bitcoin::TxIn& in = tx.inputs[i];
    const auto prev = tx_of(chain_, bitcoin::to_reversed_hex(in.prevout.txid));
    const TxOut& spent = prev.outputs[in.prevout.vout];
    EXPECT_TRUE(prev.is_coinbase());
    EXPECT_EQ(spent.script_pubkey, chain_.funding_script());
    value_in += spent.value;
    ASSERT_EQ(in.witness.size(), 2u);
    ASSERT_EQ(in.witness[1].size(), 33u);
    bitcoin::CompressedPubKey pubkey{};
    std::copy(in.witness[1].begin(), in.witness[1].end(), pubkey.begin());
    EXPECT_EQ(bitcoin::p2wpkh_script_for_pubkey(pubkey), spent.script_pubkey);
    const auto sighash =
        bitcoin::segwit_v0_sighash(tx, i, bitcoin::p2wpkh_script_code(pubkey), spent.value);
    const Bytes& signature = in.witness[0];
    EXPECT_EQ(signature.back(), bitcoin::sighash_all);
    EXPECT_TRUE(bitcoin::verify_ecdsa(pubkey, *sighash,
                                      bitcoin::ByteSpan(signature).first(signature.size() - 1)));
  }
  std::int64_t value_out = 0;
  for (const TxOut& out : tx.outputs) value_out += out.value;
  EXPECT_EQ(value_in - value_out, paid_.fee);
  const auto vsize = static_cast<std::int64_t>(virtual_size(tx));
  EXPECT_GE(paid_.fee, vsize);      // >= 1 sat/vB (the configured 1000 sat/kvB)
  EXPECT_LE(paid_.fee, vsize + 4);  // sized on a 72-byte signature placeholder
  expect_proofs_verify(chain_, paid_.height);
}

TEST_F(PaidAccount, SignedSpendGoesThroughTheMempoolIntoABlock) {
  const auto destination =
      bitcoin::output_script_for_child(bitcoin::OutputType::p2wpkh, *zpub_.derive_child(0), 5);
  const std::string dest_hash = bitcoin::electrum_scripthash(*destination);
  auto tx = spend({outpoint(paid_.txid, 0)}, {TxOut{99'000, *destination}});
  ASSERT_TRUE(bitcoin::sign_p2wpkh_input(tx, 0, receive_key(0), 100'000));
  const std::string txid = bitcoin::txid_hex(tx);
  changes_.clear();

  const BroadcastResult sent = chain_.broadcast(hex_of(tx));
  ASSERT_TRUE(sent.accepted) << sent.error;
  EXPECT_EQ(sent.txid, txid);
  EXPECT_EQ(chain_.transaction_hex(txid), hex_of(tx));
  ASSERT_EQ(changes_.size(), 1u);
  EXPECT_EQ(changes_[0].tip_height, 102);
  EXPECT_EQ(changes_[0].touched_scripthashes,
            (std::vector<std::string>{std::min(receive_[0], dest_hash),
                                      std::max(receive_[0], dest_hash)}));

  // In the mempool at height 0 with its fee, for both script hashes.
  for (const std::string& hash : {receive_[0], dest_hash}) {
    const auto mempool = chain_.mempool(hash);
    ASSERT_EQ(mempool.size(), 1u);
    EXPECT_EQ(mempool[0].tx_hash, txid);
    EXPECT_EQ(mempool[0].height, 0);
    EXPECT_EQ(mempool[0].fee, 1000);
    const auto history = chain_.history(hash);
    EXPECT_EQ(history.back().tx_hash, txid);
    EXPECT_EQ(history.back().height, 0);
    EXPECT_EQ(chain_.status(hash), electrum_status(history));
  }
  EXPECT_EQ(chain_.history(receive_[0]).size(), 2u);
  EXPECT_EQ(chain_.balance(receive_[0]).confirmed, 100'000);
  EXPECT_EQ(chain_.balance(receive_[0]).unconfirmed, -100'000);
  EXPECT_TRUE(chain_.unspent(receive_[0]).empty());
  EXPECT_EQ(chain_.balance(dest_hash).unconfirmed, 99'000);
  ASSERT_EQ(chain_.unspent(dest_hash).size(), 1u);
  EXPECT_EQ(chain_.unspent(dest_hash)[0].height, 0);
  EXPECT_FALSE(chain_.merkle_proof(txid, 0));

  // A double spend and an unknown input are refused with Core's reasons.
  auto double_spend = spend({outpoint(paid_.txid, 0)}, {TxOut{90'000, *destination}});
  ASSERT_TRUE(bitcoin::sign_p2wpkh_input(double_spend, 0, receive_key(0), 100'000));
  EXPECT_EQ(chain_.broadcast(hex_of(double_spend)).error, "txn-mempool-conflict");
  auto unknown = spend({outpoint(std::string(64, 'b'), 1)}, {TxOut{90'000, *destination}});
  EXPECT_EQ(chain_.broadcast(hex_of(unknown)).error, "bad-txns-inputs-missingorspent");

  // Mined: confirmed at the new height, proofs verify, both script hashes notified.
  changes_.clear();
  const auto height = chain_.mine_block(chain_.funding_script());
  ASSERT_EQ(height, 103);
  ASSERT_EQ(changes_.size(), 1u);
  EXPECT_EQ(changes_[0].tip_height, 103);
  const auto& touched = changes_[0].touched_scripthashes;
  EXPECT_NE(std::find(touched.begin(), touched.end(), receive_[0]), touched.end());
  EXPECT_NE(std::find(touched.begin(), touched.end(), dest_hash), touched.end());
  EXPECT_EQ(chain_.mempool_size(), 0u);
  const auto history = chain_.history(receive_[0]);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[1].tx_hash, txid);
  EXPECT_EQ(history[1].height, 103);
  EXPECT_EQ(chain_.balance(receive_[0]).confirmed, 0);
  EXPECT_EQ(chain_.balance(dest_hash).confirmed, 99'000);
  EXPECT_EQ(chain_.balance(dest_hash).unconfirmed, 0);
  EXPECT_EQ(chain_.unspent(dest_hash)[0].height, 103);
  // The block paid its fee to the miner: subsidy + 1000 sat.
  const auto coinbase = tx_of(chain_, chain_.block_txids(103)->front());
  EXPECT_EQ(coinbase.outputs[0].value, 50 * coin / 2 * 2 + 1000);
  expect_proofs_verify(chain_, 103);
  EXPECT_EQ(chain_.broadcast(hex_of(double_spend)).error, "bad-txns-inputs-missingorspent");
}

TEST_F(PaidAccount, ProofsVerifyInABlockOfManyTransactions) {
  // A chain of seven spends, each of the previous one's output: all enter one block, parents
  // first, and every proof verifies (odd levels of the tree included).
  std::string prev = paid_.txid;
  std::uint32_t vout = 2;
  std::int64_t value = 300'000;
  std::vector<std::string> txids;
  for (int i = 0; i < 7; ++i) {
    value -= 500;
    const auto tx = spend({outpoint(prev, vout)}, {TxOut{value, chain_.funding_script()}});
    const BroadcastResult sent = chain_.broadcast(hex_of(tx));
    ASSERT_TRUE(sent.accepted) << i << sent.error;
    txids.push_back(sent.txid);
    prev = sent.txid;
    vout = 0;
  }
  const auto height = chain_.mine_block(chain_.funding_script());
  ASSERT_TRUE(height);
  const auto block = chain_.block_txids(*height);
  ASSERT_EQ(block->size(), 8u);
  EXPECT_EQ(std::vector<std::string>(block->begin() + 1, block->end()), txids);
  expect_proofs_verify(chain_, *height);
}

TEST(RegtestChain, PayToRefusesBadRequests) {
  RegtestChain chain;
  const Bytes script = bitcoin::p2wpkh_script(bitcoin::Hash160{9});
  EXPECT_FALSE(chain.pay_to({}).ok);
  EXPECT_FALSE(chain.pay_to({{script, 100}}).ok);       // dust
  EXPECT_FALSE(chain.pay_to({{Bytes{}, 100'000}}).ok);  // no script
  EXPECT_FALSE(chain.pay_to({{script, max_money + 1}}).ok);
  EXPECT_EQ(chain.tip_height(), 0);  // nothing was mined for them

  RegtestConfig config;
  config.max_blocks_per_call = 50;
  RegtestChain limited(config);
  const PaymentResult result = limited.pay_to({{script, 100'000}});
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.error.find("cannot cover"), std::string::npos) << result.error;
}

TEST(RegtestChain, PaymentsLargerThanOneCoinbaseAndRepeated) {
  RegtestChain chain;
  const Bytes script = bitcoin::p2wpkh_script(bitcoin::Hash160{9});
  const std::string hash = bitcoin::electrum_scripthash(script);
  const PaymentResult big = chain.pay_to({{script, 120 * coin}});
  ASSERT_TRUE(big.ok) << big.error;
  EXPECT_EQ(tx_of(chain, big.txid).inputs.size(), 3u);  // three 50 BTC coinbases
  const PaymentResult again = chain.pay_to({{script, 1 * coin}});
  ASSERT_TRUE(again.ok) << again.error;
  EXPECT_EQ(again.height, big.height + 1);  // no more funding blocks were needed
  EXPECT_EQ(chain.balance(hash).confirmed, 121 * coin);
  const auto history = chain.history(hash);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_LT(history[0].height, history[1].height);
}

TEST(RegtestChain, FundingSeedIsConfigurable) {
  RegtestConfig config;
  config.funding_seed = Bytes(32, 0x42);
  EXPECT_NE(RegtestChain(config).funding_script(), RegtestChain().funding_script());
  EXPECT_EQ(RegtestChain().funding_script(), RegtestChain().funding_script());
}

TEST(RegtestChain, FeeAnswers) {
  const RegtestChain chain;
  EXPECT_DOUBLE_EQ(chain.estimate_fee(2), 0.00001);
  EXPECT_DOUBLE_EQ(chain.relay_fee(), 0.00001);
}

}  // namespace
}  // namespace eo::honeypot::chain
