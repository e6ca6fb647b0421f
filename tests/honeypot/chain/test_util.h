// Test helpers for the regtest chain: building transactions that spend known outputs.
#pragma once

#include "common/bitcoin/hex.h"
#include "common/bitcoin/tx.h"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

namespace eo::honeypot::chain::testing {

inline bitcoin::OutPoint outpoint(const std::string& txid_hex, std::uint32_t vout) {
  const auto txid = bitcoin::hash256_from_display_hex(txid_hex);
  if (!txid) std::abort();
  return bitcoin::OutPoint{*txid, vout};
}

// An unsigned version-2 transaction (the chain does not verify scripts).
inline bitcoin::Transaction spend(const std::vector<bitcoin::OutPoint>& inputs,
                                  const std::vector<bitcoin::TxOut>& outputs) {
  bitcoin::Transaction tx;
  for (const auto& prevout : inputs) {
    bitcoin::TxIn in;
    in.prevout = prevout;
    tx.inputs.push_back(std::move(in));
  }
  tx.outputs = outputs;
  return tx;
}

inline std::string hex_of(const bitcoin::Transaction& tx) {
  return bitcoin::to_hex(bitcoin::serialize(tx));
}

}  // namespace eo::honeypot::chain::testing
