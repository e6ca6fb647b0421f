// Start-up checks of RegtestConfig: a bad setting is named here rather than failing later.
#include "honeypot/chain/config.h"

namespace eo::honeypot::chain {

std::optional<std::string> validate(const RegtestConfig& config) {
  const std::size_t seed = config.funding_seed.size();
  if (seed != 0 && (seed < 16 || seed > 64)) {
    return "funding_seed must be empty or 16..64 bytes, got " + std::to_string(seed);
  }
  if (config.fee_rate_sat_per_kvb < 0 || config.fee_rate_sat_per_kvb > coin) {
    return "fee_rate_sat_per_kvb must be 0..100000000";
  }
  if (config.relay_fee_sat_per_kvb < 0 || config.relay_fee_sat_per_kvb > coin) {
    return "relay_fee_sat_per_kvb must be 0..100000000";
  }
  if (config.fee_rate_sat_per_kvb < config.relay_fee_sat_per_kvb) {
    return "fee_rate_sat_per_kvb must not be below relay_fee_sat_per_kvb (our own payments "
           "would be rejected)";
  }
  if (config.block_interval_seconds == 0) return "block_interval_seconds must be positive";
  if (config.max_mempool_txs == 0) return "max_mempool_txs must be positive";
  // A block may weigh 4,000,000; a byte weighs at most 4, so 1,000,000 bytes always fit.
  if (config.max_mempool_bytes == 0 || config.max_mempool_bytes > 990'000) {
    return "max_mempool_bytes must be 1..990000 (one block holds the whole mempool)";
  }
  if (config.max_tx_bytes < 100 || config.max_tx_bytes > config.max_mempool_bytes) {
    return "max_tx_bytes must be 100..max_mempool_bytes";
  }
  if (config.max_height < 1) return "max_height must be positive";
  if (config.max_blocks_per_call == 0) return "max_blocks_per_call must be positive";
  if (config.max_payment_outputs == 0) return "max_payment_outputs must be positive";
  return std::nullopt;
}

}  // namespace eo::honeypot::chain
