// RegtestChain's construction and its read side: the Backend queries answered from the block
// list, the confirmed index and the mempool.
#include "honeypot/chain/regtest_chain.h"

#include "common/bitcoin/hex.h"
#include "common/bitcoin/merkle.h"
#include "honeypot/chain/mining.h"
#include "honeypot/chain/status.h"

#include <algorithm>
#include <stdexcept>

namespace eo::honeypot::chain {
namespace {

FundingWallet make_wallet(const RegtestConfig& config) {
  if (const auto error = validate(config)) {
    throw std::invalid_argument("RegtestConfig: " + *error);
  }
  const bitcoin::Bytes seed =
      config.funding_seed.empty() ? FundingWallet::default_seed() : config.funding_seed;
  auto wallet = FundingWallet::from_seed(seed);
  if (!wallet) throw std::invalid_argument("RegtestConfig: funding_seed derives no valid key");
  return std::move(*wallet);
}

// Script hashes are indexed in lowercase; clients may send either case.
std::string key_of(const std::string& scripthash) {
  std::string key = scripthash;
  // A-Z only, as std::tolower does in the C locale (we never set another), without its call per
  // character: every scripthash request looks its key up here.
  for (char& c : key) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return key;
}

HistoryItem mempool_item(const MempoolEntry& entry) {
  return HistoryItem{entry.txid_hex, entry.spends_unconfirmed ? -1 : 0, entry.fee};
}

}  // namespace

RegtestChain::RegtestChain(RegtestConfig config)
    : config_(std::move(config)), wallet_(make_wallet(config_)) {
  // The genesis coinbase is not indexed: as in Bitcoin Core it is not spendable and not
  // served as a transaction.
  blocks_.push_back(regtest_genesis_block());
  heights_[bitcoin::block_hash(blocks_.back().header)] = 0;
  chain_bytes_ = blocks_.back().tx_bytes;
}

std::int64_t RegtestChain::tip_height() const {
  return static_cast<std::int64_t>(blocks_.size()) - 1;
}

std::optional<std::string> RegtestChain::header_hex(std::int64_t height) const {
  if (height < 0 || height > tip_height()) return std::nullopt;
  return bitcoin::to_hex(bitcoin::serialize(blocks_[static_cast<std::size_t>(height)].header));
}

std::string RegtestChain::genesis_hash() const {
  return bitcoin::block_hash_hex(blocks_.front().header);
}

std::vector<HistoryItem> RegtestChain::history(const std::string& scripthash) const {
  const std::string key = key_of(scripthash);
  std::vector<HistoryItem> out = index_.history(key);
  for (const MempoolEntry* entry : mempool_.entries_for(key)) out.push_back(mempool_item(*entry));
  return out;
}

std::vector<HistoryItem> RegtestChain::mempool(const std::string& scripthash) const {
  std::vector<HistoryItem> out;
  for (const MempoolEntry* entry : mempool_.entries_for(key_of(scripthash))) {
    out.push_back(mempool_item(*entry));
  }
  return out;
}

std::vector<Utxo> RegtestChain::unspent(const std::string& scripthash) const {
  const std::string key = key_of(scripthash);
  std::vector<Utxo> out;
  for (const auto& [outpoint, coin] : index_.coins(key)) {
    if (mempool_.spender(outpoint)) continue;
    out.push_back(Utxo{bitcoin::to_reversed_hex(outpoint.txid), outpoint.vout, coin->height,
                       coin->output.value});
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Utxo& a, const Utxo& b) { return a.height < b.height; });
  // Unconfirmed outputs are listed at height 0, as ElectrumX does.
  for (const MempoolEntry* entry : mempool_.entries_for(key)) {
    for (std::uint32_t vout = 0; vout < entry->tx.outputs.size(); ++vout) {
      const bitcoin::TxOut& output = entry->tx.outputs[vout];
      if (scripthash_of(output) != key || mempool_.spender({entry->txid, vout})) continue;
      out.push_back(Utxo{entry->txid_hex, vout, 0, output.value});
    }
  }
  return out;
}

Balance RegtestChain::balance(const std::string& scripthash) const {
  const std::string key = key_of(scripthash);
  Balance balance;
  for (const auto& [outpoint, coin] : index_.coins(key)) balance.confirmed += coin->output.value;
  // Unconfirmed: what the mempool pays the script minus what it spends from it.
  for (const MempoolEntry* entry : mempool_.entries_for(key)) {
    for (const bitcoin::TxOut& output : entry->tx.outputs) {
      if (scripthash_of(output) == key) balance.unconfirmed += output.value;
    }
    for (const bitcoin::TxOut& spent : entry->spent) {
      if (scripthash_of(spent) == key) balance.unconfirmed -= spent.value;
    }
  }
  return balance;
}

std::optional<std::string> RegtestChain::status(const std::string& scripthash) const {
  return electrum_status(history(scripthash));
}

std::optional<std::string> RegtestChain::transaction_hex(const std::string& txid) const {
  const auto hash = bitcoin::hash256_from_display_hex(txid);
  if (!hash) return std::nullopt;
  if (const MempoolEntry* entry = mempool_.find(*hash)) return bitcoin::to_hex(entry->raw);
  const auto location = index_.find_tx(*hash);
  if (!location) return std::nullopt;
  const StoredBlock& block = blocks_[static_cast<std::size_t>(location->height)];
  return bitcoin::to_hex(bitcoin::serialize(block.txs[location->pos]));
}

std::optional<MerkleProof> RegtestChain::merkle_proof(const std::string& txid,
                                                      std::int64_t height) const {
  const auto hash = bitcoin::hash256_from_display_hex(txid);
  const auto location = hash ? index_.find_tx(*hash) : std::nullopt;
  if (!location || location->height != height) return std::nullopt;
  const StoredBlock& block = blocks_[static_cast<std::size_t>(height)];
  const auto branch = bitcoin::merkle_branch(block.txids, location->pos);
  if (!branch) return std::nullopt;
  MerkleProof proof{height, {}, location->pos};
  proof.merkle.reserve(branch->siblings.size());
  for (const bitcoin::Hash256& sibling : branch->siblings) {
    proof.merkle.push_back(bitcoin::to_reversed_hex(sibling));
  }
  return proof;
}

double RegtestChain::estimate_fee(int /*blocks*/) const {
  return static_cast<double>(config_.fee_rate_sat_per_kvb) / static_cast<double>(coin);
}

double RegtestChain::relay_fee() const {
  return static_cast<double>(config_.relay_fee_sat_per_kvb) / static_cast<double>(coin);
}

void RegtestChain::on_change(std::function<void(const ChainChange&)> listener) {
  listener_ = std::move(listener);
}

std::optional<std::vector<std::string>> RegtestChain::block_txids(std::int64_t height) const {
  if (height < 0 || height > tip_height()) return std::nullopt;
  std::vector<std::string> out;
  for (const bitcoin::Hash256& txid : blocks_[static_cast<std::size_t>(height)].txids) {
    out.push_back(bitcoin::to_reversed_hex(txid));
  }
  return out;
}

const StoredBlock* RegtestChain::block_at(std::int64_t height) const {
  if (height < 0 || height > tip_height()) return nullptr;
  return &blocks_[static_cast<std::size_t>(height)];
}

std::optional<std::int64_t> RegtestChain::height_of(const bitcoin::Hash256& block_hash) const {
  const auto it = heights_.find(block_hash);
  if (it == heights_.end()) return std::nullopt;
  return it->second;
}

}  // namespace eo::honeypot::chain
