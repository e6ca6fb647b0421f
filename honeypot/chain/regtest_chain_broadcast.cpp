// RegtestChain's write side for transactions: a broadcast is checked (mempool_accept.h) and,
// when accepted, enters the mempool and is announced to the listener.
#include "honeypot/chain/regtest_chain.h"

namespace eo::honeypot::chain {

AcceptDecision RegtestChain::check_broadcast(const std::string& raw_tx_hex) const {
  return check_for_mempool(raw_tx_hex,
                           AcceptContext{index_, mempool_, tip_height(), config_, chain_bytes_});
}

BroadcastResult RegtestChain::broadcast(const std::string& raw_tx_hex) {
  AcceptDecision decision = check_broadcast(raw_tx_hex);
  if (!decision.entry) return BroadcastResult{false, {}, std::move(decision.error)};
  std::string txid = decision.entry->txid_hex;
  const std::vector<std::string> touched = mempool_.add(std::move(*decision.entry));
  notify(std::set<std::string>(touched.begin(), touched.end()));
  return BroadcastResult{true, std::move(txid), {}};
}

}  // namespace eo::honeypot::chain
