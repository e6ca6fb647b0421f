// Small computations on the chain's value types.
#include "honeypot/chain/chain_types.h"

#include "common/bitcoin/script.h"

namespace eo::honeypot::chain {

std::string scripthash_of(const bitcoin::TxOut& output) {
  return bitcoin::electrum_scripthash(output.script_pubkey);
}

std::size_t virtual_size(const bitcoin::Transaction& tx) {
  const std::size_t base = bitcoin::serialize_without_witness(tx).size();
  const std::size_t total = tx.has_witness() ? bitcoin::serialize(tx).size() : base;
  const std::size_t weight = base * 3 + total;
  return (weight + 3) / 4;
}

}  // namespace eo::honeypot::chain
