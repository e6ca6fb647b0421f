// A small in-memory chain behind honeypot::chain::Backend for the server's tests: synthetic
// headers, histories, coins and transactions the test sets, broadcasts it can inspect, and
// chain changes it triggers.
#pragma once

#include "honeypot/chain/backend.h"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace eo::honeypot::server::test {

class FakeBackend final : public chain::Backend {
 public:
  explicit FakeBackend(std::int64_t tip = 10);

  std::int64_t tip_height() const override { return tip_; }
  std::optional<std::string> header_hex(std::int64_t height) const override;
  std::string genesis_hash() const override;

  std::vector<chain::HistoryItem> history(const std::string& scripthash) const override;
  std::vector<chain::HistoryItem> mempool(const std::string& scripthash) const override;
  std::vector<chain::Utxo> unspent(const std::string& scripthash) const override;
  chain::Balance balance(const std::string& scripthash) const override;
  std::optional<std::string> status(const std::string& scripthash) const override;

  std::optional<std::string> transaction_hex(const std::string& txid) const override;
  std::optional<chain::MerkleProof> merkle_proof(const std::string& txid,
                                                 std::int64_t height) const override;
  chain::BroadcastResult broadcast(const std::string& raw_tx_hex) override;

  double estimate_fee(int blocks) const override { return blocks > 0 ? 0.0001 : -1; }
  double relay_fee() const override { return 0.00001; }

  void on_change(std::function<void(const chain::ChainChange&)> listener) override {
    listener_ = std::move(listener);
  }

  // Test controls (call on the server's thread once the server runs).
  void add_history(const std::string& scripthash, chain::HistoryItem item);
  void add_utxo(const std::string& scripthash, chain::Utxo utxo);
  void add_transaction(const std::string& txid, std::string hex, std::int64_t height);
  // A new block: the tip moves up one and `touched` get a new confirmed transaction each.
  void mine(const std::vector<std::string>& touched);

  std::vector<std::string> broadcasts;  // raw hex, in order
  std::string reject_reason;            // non-empty: every broadcast is rejected with it

 private:
  std::int64_t tip_;
  std::map<std::string, std::vector<chain::HistoryItem>> history_;
  std::map<std::string, std::vector<chain::Utxo>> utxos_;
  std::map<std::string, std::pair<std::string, std::int64_t>> transactions_;
  std::function<void(const chain::ChainChange&)> listener_;
};

// A well-formed raw transaction (hex) and its txid, distinct for each `seed`.
std::pair<std::string, std::string> sample_transaction(std::uint32_t seed);
// A valid-looking script hash / txid made of one repeated hex digit pair.
std::string hash_of(char digit);

}  // namespace eo::honeypot::server::test
