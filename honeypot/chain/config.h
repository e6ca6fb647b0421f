// Settings of the built-in regtest chain: its funding key, the fee rates it announces, and the
// bounds that keep client input from growing its memory without limit.
#pragma once

#include "common/bitcoin/bytes.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace eo::honeypot::chain {

inline constexpr std::int64_t coin = 100'000'000;             // satoshis per BTC
inline constexpr std::int64_t max_money = 21'000'000 * coin;  // Bitcoin's MAX_MONEY
inline constexpr std::int64_t coinbase_maturity = 100;

struct RegtestConfig {
  // BIP32 seed (16..64 bytes) of the key the chain mines to and pays from (path
  // m/84'/1'/0'/0/0, P2WPKH). Empty: a fixed built-in seed, so runs are reproducible.
  bitcoin::Bytes funding_seed;

  // What blockchain.estimatefee answers (any target) and the rate the chain's own payments
  // pay: 1000 sat/kvB = 0.00001 BTC/kvB.
  std::int64_t fee_rate_sat_per_kvb = 1000;
  // What blockchain.relayfee answers; broadcasts paying less are rejected.
  std::int64_t relay_fee_sat_per_kvb = 1000;

  // Seconds between the timestamps of consecutive blocks when the caller gives no time.
  std::uint32_t block_interval_seconds = 600;

  // Bounds. A broadcast past a mempool or storage bound is rejected with "mempool full".
  std::size_t max_mempool_txs = 1000;
  std::size_t max_mempool_bytes = 900'000;   // so one block holds the whole mempool
  std::size_t max_tx_bytes = 100'000;        // Bitcoin Core's standard size (400k weight)
  std::size_t max_chain_bytes = 256u << 20;  // serialized transactions kept in all blocks
  std::int64_t max_height = 100'000;         // mine_block refuses to go past it
  std::size_t max_blocks_per_call = 1000;    // mine_blocks and one funding call
  std::size_t max_payment_outputs = 1000;    // pay_to / pay_to_xpub
};

// The first setting that cannot work, named, or nullopt when the config is usable.
std::optional<std::string> validate(const RegtestConfig& config);

}  // namespace eo::honeypot::chain
