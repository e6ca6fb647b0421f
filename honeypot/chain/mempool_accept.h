// The checks a broadcast transaction passes before it enters the mempool, answering with
// Bitcoin Core's reject reasons (what every Electrum server relays and wallets recognize).
// Scripts and signatures are NOT verified: the honeypot accepts any spend of an existing,
// unspent output. That is enough for the wallets it serves (they sign correctly) and keeps
// script interpretation out of the honeypot.
#pragma once

#include "honeypot/chain/chain_index.h"
#include "honeypot/chain/chain_types.h"
#include "honeypot/chain/config.h"
#include "honeypot/chain/mempool.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace eo::honeypot::chain {

struct AcceptContext {
  const ChainIndex& index;
  const Mempool& mempool;
  std::int64_t tip_height;
  const RegtestConfig& config;
  std::size_t chain_bytes;  // serialized transactions already stored in blocks
};

// Either the entry to add or why not.
struct AcceptDecision {
  std::optional<MempoolEntry> entry;
  std::string error;
};

// In order: size ("tx-size"), decoding ("TX decode failed"), context-free checks
// ("bad-txns-vout-empty", "bad-txns-vout-negative", "bad-txns-vout-toolarge",
// "bad-txns-txouttotal-toolarge", "bad-txns-inputs-duplicate", "coinbase"), duplicates
// ("txn-already-in-mempool", "txn-already-known"), inputs ("txn-mempool-conflict",
// "bad-txns-inputs-missingorspent", "bad-txns-premature-spend-of-coinbase"), amounts
// ("bad-txns-in-belowout", "min relay fee not met"), then the bounds ("mempool full").
AcceptDecision check_for_mempool(std::string_view raw_hex, const AcceptContext& context);

}  // namespace eo::honeypot::chain
