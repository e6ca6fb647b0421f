// AutoMiningBackend: timers on the server's executor, so mining runs on the server's thread.
#include "honeypot/app/auto_miner.h"

#include "common/telemetry/log.h"

namespace eo::honeypot::app {

AutoMiningBackend::AutoMiningBackend(boost::asio::any_io_executor executor,
                                     chain::RegtestChain& chain,
                                     std::chrono::milliseconds delay_after_broadcast,
                                     std::chrono::milliseconds block_interval)
    : chain_(chain),
      delay_after_broadcast_(delay_after_broadcast),
      block_interval_(block_interval),
      broadcast_timer_(executor),
      periodic_timer_(executor) {}

chain::BroadcastResult AutoMiningBackend::broadcast(const std::string& raw_tx_hex) {
  chain::BroadcastResult result = chain_.broadcast(raw_tx_hex);
  if (result.accepted && delay_after_broadcast_.count() >= 0 && !block_pending_) {
    block_pending_ = true;
    broadcast_timer_.expires_after(delay_after_broadcast_);
    broadcast_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      block_pending_ = false;
      mine();
    });
  }
  return result;
}

void AutoMiningBackend::mine() {
  auto height = chain_.mine_block(chain_.funding_script());
  telemetry::log(height ? telemetry::LogLevel::info : telemetry::LogLevel::warn,
                 height ? "mined a block" : "could not mine a block",
                 {{"height", height.value_or(chain_.tip_height())}});
}

void AutoMiningBackend::start() {
  if (block_interval_.count() > 0) schedule_periodic();
}

void AutoMiningBackend::schedule_periodic() {
  periodic_timer_.expires_after(block_interval_);
  periodic_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    mine();
    schedule_periodic();
  });
}

}  // namespace eo::honeypot::app
