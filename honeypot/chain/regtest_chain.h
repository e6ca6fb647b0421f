// The honeypot's built-in chain: a real regtest chain from the regtest genesis block, mined on
// demand, with the indexes an Electrum server answers from, a bounded mempool fed by
// broadcasts, and a funding key that pays the test wallets with real signed transactions.
#pragma once

#include "honeypot/chain/backend.h"
#include "honeypot/chain/chain_index.h"
#include "honeypot/chain/chain_types.h"
#include "honeypot/chain/config.h"
#include "honeypot/chain/funding_wallet.h"
#include "honeypot/chain/mempool.h"
#include "honeypot/chain/mempool_accept.h"

#include "common/bitcoin/bip32.h"
#include "common/bitcoin/bytes.h"
#include "common/bitcoin/script.h"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace eo::honeypot::chain {

// What pay_to and pay_to_xpub did.
struct PaymentResult {
  bool ok = false;
  std::string txid;         // display hex of the payment, when ok
  std::int64_t height = 0;  // the block that confirmed it
  std::int64_t fee = 0;     // satoshis
  std::string error;        // why not, when !ok
};

// Thread-compatible, like Backend. history() returns what blockchain.scripthash.get_history
// does: confirmed items by height and block position, then mempool items in arrival order;
// mempool() returns only the latter. Scripts are not verified (see mempool_accept.h).
class RegtestChain final : public Backend {
 public:
  // Throws std::invalid_argument naming the bad setting if validate(config) fails.
  explicit RegtestChain(RegtestConfig config = {});

  // Backend.
  std::int64_t tip_height() const override;
  std::optional<std::string> header_hex(std::int64_t height) const override;
  std::string genesis_hash() const override;
  std::vector<HistoryItem> history(const std::string& scripthash) const override;
  std::vector<HistoryItem> mempool(const std::string& scripthash) const override;
  std::vector<Utxo> unspent(const std::string& scripthash) const override;
  Balance balance(const std::string& scripthash) const override;
  std::optional<std::string> status(const std::string& scripthash) const override;
  std::optional<std::string> transaction_hex(const std::string& txid) const override;
  std::optional<MerkleProof> merkle_proof(const std::string& txid,
                                          std::int64_t height) const override;
  BroadcastResult broadcast(const std::string& raw_tx_hex) override;
  double estimate_fee(int blocks) const override;
  double relay_fee() const override;
  void on_change(std::function<void(const ChainChange&)> listener) override;

  // Mines one block paying subsidy + mempool fees to `coinbase_script` and confirming the
  // whole mempool. Its time is `time` raised to at least the previous block's time + 1, or
  // the previous time + block_interval_seconds. Returns the new height; nullopt at
  // config.max_height, for a script over 10,000 bytes, or when time would pass 2^32 - 1.
  std::optional<std::int64_t> mine_block(bitcoin::ByteSpan coinbase_script,
                                         std::optional<std::uint32_t> time = std::nullopt);
  // Up to min(count, max_blocks_per_call) blocks; returns how many were mined.
  std::size_t mine_blocks(std::size_t count, bitcoin::ByteSpan coinbase_script);

  // Pays each (script, satoshis) from the funding key in one signed transaction with change
  // and a fee at config.fee_rate_sat_per_kvb, and mines it. Mines blocks to the funding key
  // first while its mature coins (>= 101 confirmations, as Bitcoin Core's wallet counts) do
  // not cover the payment: 101 blocks on a fresh chain. Refuses empty or oversize lists,
  // amounts below the dust limit, and totals it cannot fund within max_blocks_per_call.
  PaymentResult pay_to(const std::vector<std::pair<bitcoin::Bytes, std::int64_t>>& outputs);
  // As pay_to, but the payment is left in the mempool (as Bitcoin Core's sendtoaddress); the
  // funding blocks it may need are still mined first. `height` is then 0.
  PaymentResult send_to(const std::vector<std::pair<bitcoin::Bytes, std::int64_t>>& outputs);

  // Pays the first `receive_count` receiving addresses of an account key (public derivation
  // m/0/i from it) with the given script type; address i gets amounts[i % amounts.size()].
  PaymentResult pay_to_xpub(const bitcoin::ExtendedPubKey& account, bitcoin::OutputType type,
                            std::uint32_t receive_count, const std::vector<std::int64_t>& amounts);

  // Disconnects the blocks from `height` to the tip, as Bitcoin Core's invalidateblock does:
  // their transactions other than coinbases go back to the mempool when they are still valid
  // there, in block order. Mining after it builds a fork, so tests can reorganize the chain
  // under a running server. Returns how many blocks were disconnected (0 for a height outside
  // 1..tip: the genesis block stays).
  std::size_t invalidate_from(std::int64_t height);

  // Txids (display hex) of a block in order, as blockchain.transaction.id_from_pos needs.
  std::optional<std::vector<std::string>> block_txids(std::int64_t height) const;
  // The block at a height; nullptr past the tip.
  const StoredBlock* block_at(std::int64_t height) const;
  // The height of a block of the active chain by its hash (internal byte order).
  std::optional<std::int64_t> height_of(const bitcoin::Hash256& block_hash) const;
  // Where a confirmed transaction is (nullopt: unknown or only in the mempool).
  std::optional<TxLocation> find_confirmed(const bitcoin::Hash256& txid) const {
    return index_.find_tx(txid);
  }
  const MempoolEntry* find_mempool(const bitcoin::Hash256& txid) const {
    return mempool_.find(txid);
  }
  const std::vector<MempoolEntry>& mempool_entries() const { return mempool_.entries(); }
  // The mempool transaction spending an outpoint, if any.
  std::optional<bitcoin::Hash256> mempool_spender(const bitcoin::OutPoint& outpoint) const {
    return mempool_.spender(outpoint);
  }
  // The mempool checks of broadcast() without entering the mempool (testmempoolaccept).
  AcceptDecision check_broadcast(const std::string& raw_tx_hex) const;
  const bitcoin::Bytes& funding_script() const { return wallet_.script(); }
  std::size_t mempool_size() const { return mempool_.size(); }
  const RegtestConfig& config() const { return config_; }

 private:
  void notify(std::set<std::string> touched);
  std::vector<SpendableCoin> mature_funding_coins() const;
  PaymentResult pay(const std::vector<std::pair<bitcoin::Bytes, std::int64_t>>& outputs,
                    bool confirm);

  RegtestConfig config_;
  FundingWallet wallet_;
  std::vector<StoredBlock> blocks_;
  std::map<bitcoin::Hash256, std::int64_t> heights_;  // block hash -> height, active chain
  std::size_t chain_bytes_ = 0;
  std::uint64_t next_time_floor_ = 0;  // a block after invalidate_from() is later than those
  ChainIndex index_;
  Mempool mempool_;
  std::function<void(const ChainChange&)> listener_;
};

}  // namespace eo::honeypot::chain
