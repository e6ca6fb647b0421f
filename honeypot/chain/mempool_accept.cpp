// Mempool acceptance, following the order of Bitcoin Core's checks so that a transaction with
// several faults is refused for the reason Core would give first.
#include "honeypot/chain/mempool_accept.h"

#include "common/bitcoin/hex.h"

#include <set>

namespace eo::honeypot::chain {
namespace {

AcceptDecision reject(std::string reason) {
  return AcceptDecision{std::nullopt, std::move(reason)};
}

// Core's CheckTransaction (without the 1 MB consensus size, below our own bound) plus the
// coinbase rule of AcceptToMemoryPool. Empty on success.
std::string check_context_free(const bitcoin::Transaction& tx) {
  if (tx.inputs.empty()) return "bad-txns-vin-empty";
  if (tx.outputs.empty()) return "bad-txns-vout-empty";
  std::int64_t total = 0;
  for (const bitcoin::TxOut& out : tx.outputs) {
    if (out.value < 0) return "bad-txns-vout-negative";
    if (out.value > max_money) return "bad-txns-vout-toolarge";
    total += out.value;  // cannot overflow: each term and the running sum stay <= max_money
    if (total > max_money) return "bad-txns-txouttotal-toolarge";
  }
  std::set<bitcoin::OutPoint, OutPointLess> seen;
  for (const bitcoin::TxIn& in : tx.inputs) {
    if (!seen.insert(in.prevout).second) return "bad-txns-inputs-duplicate";
  }
  if (tx.is_coinbase()) return "coinbase";
  return {};
}

}  // namespace

AcceptDecision check_for_mempool(std::string_view raw_hex, const AcceptContext& context) {
  const RegtestConfig& config = context.config;
  if (raw_hex.size() > 2 * config.max_tx_bytes) return reject("tx-size");
  auto raw = bitcoin::from_hex(raw_hex);
  if (!raw) return reject("TX decode failed");
  auto tx = bitcoin::parse_transaction(*raw);
  // Stored and served transactions are re-serialized, so only a canonical encoding is taken.
  if (!tx || bitcoin::serialize(*tx) != *raw) return reject("TX decode failed");
  if (std::string error = check_context_free(*tx); !error.empty()) return reject(error);

  MempoolEntry entry;
  entry.txid = bitcoin::txid(*tx);
  if (context.mempool.find(entry.txid) != nullptr) return reject("txn-already-in-mempool");
  if (context.index.find_tx(entry.txid)) return reject("txn-already-known");

  std::int64_t value_in = 0;
  for (const bitcoin::TxIn& in : tx->inputs) {
    if (context.mempool.spender(in.prevout)) return reject("txn-mempool-conflict");
    if (const Coin* coin = context.index.find_coin(in.prevout)) {
      const std::int64_t depth = context.tip_height + 1 - coin->height;
      if (coin->coinbase && depth < coinbase_maturity) {
        return reject("bad-txns-premature-spend-of-coinbase, tried to spend coinbase at depth " +
                      std::to_string(depth));
      }
      entry.spent.push_back(coin->output);
    } else if (const bitcoin::TxOut* output = context.mempool.find_output(in.prevout)) {
      entry.spends_unconfirmed = true;
      entry.spent.push_back(*output);
    } else {
      return reject("bad-txns-inputs-missingorspent");
    }
    value_in += entry.spent.back().value;  // distinct coins: never more than all money mined
  }

  std::int64_t value_out = 0;
  for (const bitcoin::TxOut& out : tx->outputs) value_out += out.value;
  if (value_in < value_out) return reject("bad-txns-in-belowout");
  entry.fee = value_in - value_out;
  entry.vsize = virtual_size(*tx);
  const std::int64_t min_fee =
      config.relay_fee_sat_per_kvb * static_cast<std::int64_t>(entry.vsize) / 1000;
  if (entry.fee < min_fee) {
    return reject("min relay fee not met, " + std::to_string(entry.fee) + " < " +
                  std::to_string(min_fee));
  }

  const std::size_t size = raw->size();
  if (context.mempool.size() >= config.max_mempool_txs ||
      context.mempool.bytes() + size > config.max_mempool_bytes ||
      context.chain_bytes + context.mempool.bytes() + size > config.max_chain_bytes) {
    return reject("mempool full");
  }

  entry.txid_hex = bitcoin::to_reversed_hex(entry.txid);
  entry.raw = std::move(*raw);
  entry.tx = std::move(*tx);
  return AcceptDecision{std::move(entry), {}};
}

}  // namespace eo::honeypot::chain
