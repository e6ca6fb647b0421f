// RegtestChain's write side for blocks: mining the mempool into a new block and telling the
// listener which script hashes changed.
#include "honeypot/chain/regtest_chain.h"

#include "honeypot/chain/mining.h"

#include "common/bitcoin/hex.h"

#include <algorithm>
#include <iterator>
#include <limits>

namespace eo::honeypot::chain {

std::optional<std::int64_t> RegtestChain::mine_block(bitcoin::ByteSpan coinbase_script,
                                                     std::optional<std::uint32_t> time) {
  const std::int64_t height = tip_height() + 1;
  if (height > config_.max_height || coinbase_script.size() > max_coinbase_script_size) {
    return std::nullopt;
  }
  const std::uint64_t prev_time = blocks_.back().header.time;
  const std::uint64_t block_time =
      time ? std::max<std::uint64_t>(*time, prev_time + 1)
           : std::max<std::uint64_t>(prev_time + config_.block_interval_seconds, next_time_floor_);
  if (block_time > std::numeric_limits<std::uint32_t>::max()) return std::nullopt;

  // Arrival order puts parents before children, a valid order within a block.
  std::vector<bitcoin::Transaction> txs;
  txs.reserve(mempool_.size());
  std::int64_t fees = 0;
  for (const MempoolEntry& entry : mempool_.entries()) {
    txs.push_back(entry.tx);
    fees += entry.fee;
  }
  bitcoin::Transaction coinbase =
      make_coinbase(height, coinbase_script, block_subsidy(height) + fees, txs);
  auto block = assemble_block(blocks_.back().header, std::move(coinbase), std::move(txs),
                              static_cast<std::uint32_t>(block_time));
  if (!block) return std::nullopt;

  std::set<std::string> touched;
  index_.connect_block(*block, height, touched);
  chain_bytes_ += block->tx_bytes;
  heights_[bitcoin::block_hash(block->header)] = height;
  blocks_.push_back(std::move(*block));
  mempool_.take_all();
  notify(std::move(touched));
  return height;
}

std::size_t RegtestChain::mine_blocks(std::size_t count, bitcoin::ByteSpan coinbase_script) {
  const std::size_t limit = std::min(count, config_.max_blocks_per_call);
  std::size_t mined = 0;
  while (mined < limit && mine_block(coinbase_script)) ++mined;
  return mined;
}

std::size_t RegtestChain::invalidate_from(std::int64_t height) {
  if (height < 1 || height > tip_height()) return 0;
  const auto first = blocks_.begin() + height;
  std::vector<StoredBlock> disconnected(std::make_move_iterator(first),
                                        std::make_move_iterator(blocks_.end()));
  // Time moves on: the fork's blocks are new blocks, never the disconnected ones again.
  next_time_floor_ = std::max<std::uint64_t>(next_time_floor_, disconnected.back().header.time + 1);
  blocks_.erase(first, blocks_.end());
  std::vector<MempoolEntry> pending = mempool_.take_all();

  // The index keeps no undo data: rebuilding it from the remaining blocks costs a pass over the
  // chain, which the height bound keeps small, and cannot disagree with connect_block.
  std::set<std::string> touched;
  index_ = ChainIndex{};
  heights_.clear();
  chain_bytes_ = 0;
  std::set<std::string> unused;
  for (std::size_t h = 0; h < blocks_.size(); ++h) {
    if (h > 0) index_.connect_block(blocks_[h], static_cast<std::int64_t>(h), unused);
    heights_[bitcoin::block_hash(blocks_[h].header)] = static_cast<std::int64_t>(h);
    chain_bytes_ += blocks_[h].tx_bytes;
  }
  // Every script the disconnected blocks paid or spent from changed its history.
  for (const StoredBlock& block : disconnected) {
    for (const bitcoin::Transaction& tx : block.txs) {
      for (const bitcoin::TxOut& output : tx.outputs) touched.insert(scripthash_of(output));
    }
  }
  // Back to the mempool, oldest block first and then what was pending; what no longer fits
  // (a spend of a disconnected coinbase, say) is dropped, as Core drops it.
  auto readd = [&](const bitcoin::Transaction& tx) {
    AcceptDecision decision = check_broadcast(bitcoin::to_hex(bitcoin::serialize(tx)));
    if (!decision.entry) return;
    for (const bitcoin::TxOut& spent : decision.entry->spent) touched.insert(scripthash_of(spent));
    for (std::string& s : mempool_.add(std::move(*decision.entry))) touched.insert(std::move(s));
  };
  for (const StoredBlock& block : disconnected) {
    for (const bitcoin::Transaction& tx : block.txs) {
      if (!tx.is_coinbase()) readd(tx);
    }
  }
  for (const MempoolEntry& entry : pending) readd(entry.tx);
  notify(std::move(touched));
  return disconnected.size();
}

void RegtestChain::notify(std::set<std::string> touched) {
  if (!listener_) return;
  listener_(ChainChange{tip_height(), std::vector<std::string>(touched.begin(), touched.end())});
}

}  // namespace eo::honeypot::chain
