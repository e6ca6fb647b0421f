// Value types shared by the regtest chain's parts: stored blocks, coins, mempool entries.
#pragma once

#include "common/bitcoin/bytes.h"
#include "common/bitcoin/header.h"
#include "common/bitcoin/tx.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace eo::honeypot::chain {

struct StoredBlock {
  bitcoin::BlockHeader header;
  std::vector<bitcoin::Transaction> txs;  // coinbase first
  std::vector<bitcoin::Hash256> txids;    // same order, internal byte order
  std::size_t tx_bytes = 0;               // serialized size of all txs
};

// An unspent confirmed output.
struct Coin {
  bitcoin::TxOut output;
  std::int64_t height = 0;
  bool coinbase = false;
};

// Where a confirmed transaction is.
struct TxLocation {
  std::int64_t height = 0;
  std::uint32_t pos = 0;
};

// A transaction accepted into the mempool, with what the checks learnt about it.
struct MempoolEntry {
  bitcoin::Transaction tx;
  bitcoin::Hash256 txid{};
  std::string txid_hex;               // display hex
  bitcoin::Bytes raw;                 // as broadcast (re-serializes identically)
  std::vector<bitcoin::TxOut> spent;  // the outputs its inputs spend, in input order
  std::int64_t fee = 0;
  std::size_t vsize = 0;
  bool spends_unconfirmed = false;  // Electrum height -1 rather than 0
};

// Orders outpoints for std::map / std::set.
struct OutPointLess {
  bool operator()(const bitcoin::OutPoint& a, const bitcoin::OutPoint& b) const {
    return a.txid != b.txid ? a.txid < b.txid : a.vout < b.vout;
  }
};

// Electrum's key of an output script (display hex of its SHA-256).
std::string scripthash_of(const bitcoin::TxOut& output);

// Virtual size as BIP141 defines it: weight / 4, rounded up.
std::size_t virtual_size(const bitcoin::Transaction& tx);

}  // namespace eo::honeypot::chain
