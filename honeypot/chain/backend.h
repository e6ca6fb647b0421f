// The seam between the honeypot's Electrum server and the chain it serves: a built-in regtest
// chain, or later an upstream Electrum server. Values are Electrum protocol shapes (hex strings,
// heights, satoshis) so the server does no Bitcoin work of its own.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace eo::honeypot::chain {

struct HistoryItem {
  std::string tx_hash;   // display hex (byte-reversed)
  std::int64_t height;   // > 0 confirmed; 0 mempool with confirmed inputs; -1 mempool otherwise
  std::int64_t fee = 0;  // mempool items only
};

struct Utxo {
  std::string tx_hash;
  std::uint32_t tx_pos;
  std::int64_t height;
  std::int64_t value;  // satoshis
};

struct Balance {
  std::int64_t confirmed = 0;
  std::int64_t unconfirmed = 0;
};

struct MerkleProof {
  std::int64_t block_height;
  std::vector<std::string> merkle;  // display hex, as blockchain.transaction.get_merkle returns
  std::uint32_t pos;
};

struct BroadcastResult {
  bool accepted = false;
  std::string txid;   // when accepted
  std::string error;  // why not, in words a wallet shows its user
};

// Called after the chain changed: a new tip, and the script hashes whose status changed.
struct ChainChange {
  std::int64_t tip_height;
  std::vector<std::string> touched_scripthashes;
};

// Thread-compatible: the server calls it from one thread (its io_context).
class Backend {
 public:
  virtual ~Backend() = default;

  virtual std::int64_t tip_height() const = 0;
  // 80-byte header as 160 hex chars; nullopt past the tip.
  virtual std::optional<std::string> header_hex(std::int64_t height) const = 0;
  virtual std::string genesis_hash() const = 0;

  // As blockchain.scripthash.get_history: confirmed items (by height, then block position),
  // then mempool items; mempool() is the mempool part alone (blockchain.scripthash.get_mempool).
  virtual std::vector<HistoryItem> history(const std::string& scripthash) const = 0;
  virtual std::vector<HistoryItem> mempool(const std::string& scripthash) const = 0;
  virtual std::vector<Utxo> unspent(const std::string& scripthash) const = 0;
  virtual Balance balance(const std::string& scripthash) const = 0;
  // Electrum's status: sha256 of "tx_hash:height:" for each history item, hex; nullopt if none.
  virtual std::optional<std::string> status(const std::string& scripthash) const = 0;

  virtual std::optional<std::string> transaction_hex(const std::string& txid) const = 0;
  virtual std::optional<MerkleProof> merkle_proof(const std::string& txid,
                                                  std::int64_t height) const = 0;
  virtual BroadcastResult broadcast(const std::string& raw_tx_hex) = 0;

  // Fee rate in BTC/kvB for a confirmation target; -1 when unknown (as servers answer).
  virtual double estimate_fee(int blocks) const = 0;
  virtual double relay_fee() const = 0;

  // Registers the one listener told of every change (the server fans it out to sessions).
  virtual void on_change(std::function<void(const ChainChange&)> listener) = 0;
};

}  // namespace eo::honeypot::chain
