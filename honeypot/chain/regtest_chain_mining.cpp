// RegtestChain's write side for blocks: mining the mempool into a new block and telling the
// listener which script hashes changed.
#include "honeypot/chain/regtest_chain.h"

#include "honeypot/chain/mining.h"

#include <algorithm>
#include <limits>

namespace eo::honeypot::chain {

std::optional<std::int64_t> RegtestChain::mine_block(bitcoin::ByteSpan coinbase_script,
                                                     std::optional<std::uint32_t> time) {
  const std::int64_t height = tip_height() + 1;
  if (height > config_.max_height || coinbase_script.size() > max_coinbase_script_size) {
    return std::nullopt;
  }
  const std::uint64_t prev_time = blocks_.back().header.time;
  const std::uint64_t block_time = time ? std::max<std::uint64_t>(*time, prev_time + 1)
                                        : prev_time + config_.block_interval_seconds;
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

void RegtestChain::notify(std::set<std::string> touched) {
  if (!listener_) return;
  listener_(ChainChange{tip_height(), std::vector<std::string>(touched.begin(), touched.end())});
}

}  // namespace eo::honeypot::chain
