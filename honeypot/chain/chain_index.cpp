// Connecting a block touches only the coins and histories of its own transactions, so the cost
// of a block is proportional to its size, not to the chain's.
#include "honeypot/chain/chain_index.h"

#include "common/bitcoin/hex.h"

#include <cassert>

namespace eo::honeypot::chain {

void ChainIndex::connect_block(const StoredBlock& block, std::int64_t height,
                               std::set<std::string>& touched) {
  for (std::size_t pos = 0; pos < block.txs.size(); ++pos) {
    const bitcoin::Transaction& tx = block.txs[pos];
    const bitcoin::Hash256& txid = block.txids[pos];
    std::set<std::string> scripts;  // this transaction's, each once
    if (!tx.is_coinbase()) {
      for (const bitcoin::TxIn& in : tx.inputs) {
        const auto coin = coins_.find(in.prevout);
        assert(coin != coins_.end() && "the chain validated every input");
        if (coin == coins_.end()) continue;
        const std::string scripthash = scripthash_of(coin->second.output);
        coins_by_script_[scripthash].erase(in.prevout);
        scripts.insert(scripthash);
        coins_.erase(coin);
      }
    }
    for (std::uint32_t vout = 0; vout < tx.outputs.size(); ++vout) {
      const bitcoin::OutPoint outpoint{txid, vout};
      const std::string scripthash = scripthash_of(tx.outputs[vout]);
      coins_[outpoint] = Coin{tx.outputs[vout], height, tx.is_coinbase()};
      coins_by_script_[scripthash].insert(outpoint);
      scripts.insert(scripthash);
    }
    txs_[txid] = TxLocation{height, static_cast<std::uint32_t>(pos)};
    const std::string txid_hex = bitcoin::to_reversed_hex(txid);
    for (const std::string& scripthash : scripts) {
      history_[scripthash].push_back(HistoryItem{txid_hex, height, 0});
      touched.insert(scripthash);
    }
  }
}

const Coin* ChainIndex::find_coin(const bitcoin::OutPoint& outpoint) const {
  const auto it = coins_.find(outpoint);
  return it == coins_.end() ? nullptr : &it->second;
}

std::optional<TxLocation> ChainIndex::find_tx(const bitcoin::Hash256& txid) const {
  const auto it = txs_.find(txid);
  if (it == txs_.end()) return std::nullopt;
  return it->second;
}

const std::vector<HistoryItem>& ChainIndex::history(const std::string& scripthash) const {
  static const std::vector<HistoryItem> empty;
  const auto it = history_.find(scripthash);
  return it == history_.end() ? empty : it->second;
}

std::vector<std::pair<bitcoin::OutPoint, const Coin*>> ChainIndex::coins(
    const std::string& scripthash) const {
  std::vector<std::pair<bitcoin::OutPoint, const Coin*>> out;
  const auto it = coins_by_script_.find(scripthash);
  if (it == coins_by_script_.end()) return out;
  out.reserve(it->second.size());
  for (const bitcoin::OutPoint& outpoint : it->second) {
    out.emplace_back(outpoint, &coins_.at(outpoint));
  }
  return out;
}

}  // namespace eo::honeypot::chain
