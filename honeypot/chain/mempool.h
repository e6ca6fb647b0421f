// The unconfirmed transactions, in arrival order (a child always arrives after its parent, so
// that order is also a valid block order), with their spends and per-script-hash entries.
#pragma once

#include "honeypot/chain/chain_types.h"

#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace eo::honeypot::chain {

class Mempool {
 public:
  std::size_t size() const { return entries_.size(); }
  std::size_t bytes() const { return bytes_; }
  bool empty() const { return entries_.empty(); }

  const MempoolEntry* find(const bitcoin::Hash256& txid) const;
  // An output created by a mempool transaction (spent or not); nullptr if none.
  const bitcoin::TxOut* find_output(const bitcoin::OutPoint& outpoint) const;
  // The mempool transaction spending an outpoint, if any.
  std::optional<bitcoin::Hash256> spender(const bitcoin::OutPoint& outpoint) const;

  // Adds a checked entry (inputs unspent in the mempool, parents present) and returns the
  // script hashes it pays or spends from, each once.
  std::vector<std::string> add(MempoolEntry entry);

  // Arrival order.
  const std::vector<MempoolEntry>& entries() const { return entries_; }
  std::vector<const MempoolEntry*> entries_for(const std::string& scripthash) const;

  // Empties the mempool, returning its entries in arrival order (for a block).
  std::vector<MempoolEntry> take_all();

 private:
  std::vector<MempoolEntry> entries_;
  std::map<bitcoin::Hash256, std::size_t> by_txid_;  // index into entries_
  std::map<bitcoin::OutPoint, bitcoin::Hash256, OutPointLess> spent_by_;
  std::unordered_map<std::string, std::vector<std::size_t>> by_script_;
  std::size_t bytes_ = 0;
};

}  // namespace eo::honeypot::chain
