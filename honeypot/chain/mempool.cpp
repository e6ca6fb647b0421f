// Entries are only ever appended, and leave all together when a block is mined, so indexes into
// the entry vector stay valid for the mempool's lifetime.
#include "honeypot/chain/mempool.h"

#include <set>

namespace eo::honeypot::chain {

const MempoolEntry* Mempool::find(const bitcoin::Hash256& txid) const {
  const auto it = by_txid_.find(txid);
  return it == by_txid_.end() ? nullptr : &entries_[it->second];
}

const bitcoin::TxOut* Mempool::find_output(const bitcoin::OutPoint& outpoint) const {
  const MempoolEntry* entry = find(outpoint.txid);
  if (entry == nullptr || outpoint.vout >= entry->tx.outputs.size()) return nullptr;
  return &entry->tx.outputs[outpoint.vout];
}

std::optional<bitcoin::Hash256> Mempool::spender(const bitcoin::OutPoint& outpoint) const {
  const auto it = spent_by_.find(outpoint);
  if (it == spent_by_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> Mempool::add(MempoolEntry entry) {
  const std::size_t index = entries_.size();
  std::set<std::string> scripts;
  for (const bitcoin::TxOut& spent : entry.spent) scripts.insert(scripthash_of(spent));
  for (const bitcoin::TxOut& output : entry.tx.outputs) scripts.insert(scripthash_of(output));
  for (const bitcoin::TxIn& in : entry.tx.inputs) spent_by_[in.prevout] = entry.txid;
  for (const std::string& scripthash : scripts) by_script_[scripthash].push_back(index);
  by_txid_[entry.txid] = index;
  bytes_ += entry.raw.size();
  entries_.push_back(std::move(entry));
  return {scripts.begin(), scripts.end()};
}

std::vector<const MempoolEntry*> Mempool::entries_for(const std::string& scripthash) const {
  std::vector<const MempoolEntry*> out;
  const auto it = by_script_.find(scripthash);
  if (it == by_script_.end()) return out;
  out.reserve(it->second.size());
  for (const std::size_t index : it->second) out.push_back(&entries_[index]);
  return out;
}

std::vector<MempoolEntry> Mempool::take_all() {
  std::vector<MempoolEntry> out = std::move(entries_);
  entries_.clear();
  by_txid_.clear();
  spent_by_.clear();
  by_script_.clear();
  bytes_ = 0;
  return out;
}

}  // namespace eo::honeypot::chain
