// Mines the regtest chain the way a live network would for a wallet under test: a block shortly
// after each accepted broadcast, and optionally one every interval.
#pragma once

#include "honeypot/chain/regtest_chain.h"

#include <utility>  // Boost 1.74's awaitable.hpp needs std::exchange declared first.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>

namespace eo::honeypot::app {

// A Backend that forwards to the regtest chain and schedules a block after each accepted
// broadcast (the wallet first sees its transaction unconfirmed, then confirmed).
class AutoMiningBackend final : public chain::Backend {
 public:
  AutoMiningBackend(boost::asio::any_io_executor executor, chain::RegtestChain& chain,
                    std::chrono::milliseconds delay_after_broadcast,
                    std::chrono::milliseconds block_interval);

  std::int64_t tip_height() const override { return chain_.tip_height(); }
  std::optional<std::string> header_hex(std::int64_t h) const override {
    return chain_.header_hex(h);
  }
  std::string genesis_hash() const override { return chain_.genesis_hash(); }
  std::vector<chain::HistoryItem> history(const std::string& sh) const override {
    return chain_.history(sh);
  }
  std::vector<chain::HistoryItem> mempool(const std::string& sh) const override {
    return chain_.mempool(sh);
  }
  std::vector<chain::Utxo> unspent(const std::string& sh) const override {
    return chain_.unspent(sh);
  }
  chain::Balance balance(const std::string& sh) const override { return chain_.balance(sh); }
  std::optional<std::string> status(const std::string& sh) const override {
    return chain_.status(sh);
  }
  std::optional<std::string> transaction_hex(const std::string& txid) const override {
    return chain_.transaction_hex(txid);
  }
  std::optional<chain::MerkleProof> merkle_proof(const std::string& txid,
                                                 std::int64_t height) const override {
    return chain_.merkle_proof(txid, height);
  }
  double estimate_fee(int blocks) const override { return chain_.estimate_fee(blocks); }
  double relay_fee() const override { return chain_.relay_fee(); }
  void on_change(std::function<void(const chain::ChainChange&)> listener) override {
    chain_.on_change(std::move(listener));
  }
  chain::BroadcastResult broadcast(const std::string& raw_tx_hex) override;

  // Starts the periodic blocks (when block_interval > 0).
  void start();

 private:
  void mine();
  void schedule_periodic();

  chain::RegtestChain& chain_;
  std::chrono::milliseconds delay_after_broadcast_;
  std::chrono::milliseconds block_interval_;
  boost::asio::steady_timer broadcast_timer_;
  boost::asio::steady_timer periodic_timer_;
  bool block_pending_ = false;
};

}  // namespace eo::honeypot::app
