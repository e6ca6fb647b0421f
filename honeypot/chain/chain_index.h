// The confirmed side of the chain's indexes: UTXO set, transaction locations and each script
// hash's confirmed history, updated block by block.
#pragma once

#include "honeypot/chain/backend.h"
#include "honeypot/chain/chain_types.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace eo::honeypot::chain {

class ChainIndex {
 public:
  // Applies block `height`: each transaction in order spends its inputs' coins (earlier
  // transactions of the same block included), adds its outputs as coins and is appended once
  // to the history of every script hash it pays or spends from; those script hashes are added
  // to `touched`. The caller has checked that every input spends an existing coin; a coinbase
  // spends nothing.
  void connect_block(const StoredBlock& block, std::int64_t height, std::set<std::string>& touched);

  // nullptr when the outpoint is not an unspent confirmed output.
  const Coin* find_coin(const bitcoin::OutPoint& outpoint) const;
  std::optional<TxLocation> find_tx(const bitcoin::Hash256& txid) const;

  // Confirmed history, ordered by height and then position in the block.
  const std::vector<HistoryItem>& history(const std::string& scripthash) const;

  // The unspent confirmed outputs paying a script hash, ordered by outpoint.
  std::vector<std::pair<bitcoin::OutPoint, const Coin*>> coins(const std::string& scripthash) const;

  std::size_t coin_count() const { return coins_.size(); }

 private:
  std::map<bitcoin::OutPoint, Coin, OutPointLess> coins_;
  std::unordered_map<std::string, std::set<bitcoin::OutPoint, OutPointLess>> coins_by_script_;
  std::map<bitcoin::Hash256, TxLocation> txs_;
  std::unordered_map<std::string, std::vector<HistoryItem>> history_;
};

}  // namespace eo::honeypot::chain
