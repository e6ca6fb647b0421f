// RegtestChain's funding helpers: real payments from the chain's own key to test wallets,
// mining to that key first until its mature coins cover the payment.
#include "honeypot/chain/regtest_chain.h"

#include "common/bitcoin/hex.h"
#include "common/bitcoin/wallet_script.h"
#include "honeypot/chain/mining.h"

#include <algorithm>
#include <tuple>

namespace eo::honeypot::chain {
namespace {

PaymentResult payment_error(std::string error) {
  PaymentResult result;
  result.error = std::move(error);
  return result;
}

}  // namespace

std::vector<SpendableCoin> RegtestChain::mature_funding_coins() const {
  struct Candidate {
    std::int64_t height;
    bitcoin::OutPoint outpoint;
    std::int64_t value;
  };
  std::vector<Candidate> candidates;
  for (const auto& [outpoint, coin] : index_.coins(wallet_.scripthash())) {
    if (mempool_.spender(outpoint)) continue;
    // Bitcoin Core's wallet spends a coinbase once it has 101 confirmations.
    const std::int64_t confirmations = tip_height() - coin->height + 1;
    if (coin->coinbase && confirmations <= coinbase_maturity) continue;
    candidates.push_back(Candidate{coin->height, outpoint, coin->output.value});
  }
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return std::tie(a.height, a.outpoint.txid, a.outpoint.vout) <
           std::tie(b.height, b.outpoint.txid, b.outpoint.vout);
  });
  std::vector<SpendableCoin> coins;
  coins.reserve(candidates.size());
  for (const Candidate& c : candidates) coins.push_back(SpendableCoin{c.outpoint, c.value});
  return coins;
}

PaymentResult RegtestChain::pay_to(
    const std::vector<std::pair<bitcoin::Bytes, std::int64_t>>& outputs) {
  return pay(outputs, true);
}

PaymentResult RegtestChain::send_to(
    const std::vector<std::pair<bitcoin::Bytes, std::int64_t>>& outputs) {
  return pay(outputs, false);
}

PaymentResult RegtestChain::pay(const std::vector<std::pair<bitcoin::Bytes, std::int64_t>>& outputs,
                                bool confirm) {
  if (outputs.empty() || outputs.size() > config_.max_payment_outputs) {
    return payment_error("pay_to needs 1.." + std::to_string(config_.max_payment_outputs) +
                         " outputs");
  }
  std::vector<bitcoin::TxOut> txouts;
  std::int64_t total = 0;
  for (const auto& [script, amount] : outputs) {
    if (script.empty() || script.size() > max_coinbase_script_size) {
      return payment_error("pay_to: output script must be 1..10000 bytes");
    }
    if (amount < FundingWallet::dust || amount > max_money || total + amount > max_money) {
      return payment_error(
          "pay_to: amounts must be at least the dust limit (294 sat) and "
          "total at most 21M BTC");
    }
    total += amount;
    txouts.push_back(bitcoin::TxOut{amount, script});
  }

  std::optional<BuiltPayment> built;
  for (std::size_t mined = 0;; ++mined) {
    const std::vector<SpendableCoin> coins = mature_funding_coins();
    std::int64_t available = 0;
    for (std::size_t i = 0; i < coins.size() && i < FundingWallet::max_inputs; ++i) {
      available += coins[i].value;
    }
    if (available >= total) {  // worth trying: the fee may still need one more block
      built = wallet_.build_payment(coins, txouts, config_.fee_rate_sat_per_kvb,
                                    static_cast<std::uint32_t>(tip_height()));
      if (built) break;
    }
    if (mined >= config_.max_blocks_per_call || !mine_block(wallet_.script())) {
      return payment_error("pay_to: the funding key cannot cover " + std::to_string(total) +
                           " sat (chain or per-call block limit reached)");
    }
  }
  if (confirm && tip_height() >= config_.max_height) {
    return payment_error("pay_to: max_height reached, the payment could not be mined");
  }

  const BroadcastResult sent = broadcast(bitcoin::to_hex(bitcoin::serialize(built->tx)));
  if (!sent.accepted) return payment_error("pay_to: payment rejected: " + sent.error);
  PaymentResult result;
  result.ok = true;
  result.txid = sent.txid;
  result.fee = built->fee;
  if (confirm) {
    const auto height = mine_block(wallet_.script());
    if (!height) return payment_error("pay_to: the payment could not be mined");
    result.height = *height;
  }
  return result;
}

PaymentResult RegtestChain::pay_to_xpub(const bitcoin::ExtendedPubKey& account,
                                        bitcoin::OutputType type, std::uint32_t receive_count,
                                        const std::vector<std::int64_t>& amounts) {
  if (receive_count == 0 || receive_count > config_.max_payment_outputs || amounts.empty()) {
    return payment_error("pay_to_xpub needs 1.." + std::to_string(config_.max_payment_outputs) +
                         " addresses and at least one amount");
  }
  const auto receive_branch = account.derive_child(0);
  if (!receive_branch) return payment_error("pay_to_xpub: cannot derive the receive branch");
  std::vector<std::pair<bitcoin::Bytes, std::int64_t>> outputs;
  outputs.reserve(receive_count);
  for (std::uint32_t i = 0; i < receive_count; ++i) {
    auto script = bitcoin::output_script_for_child(type, *receive_branch, i);
    if (!script) return payment_error("pay_to_xpub: cannot derive address " + std::to_string(i));
    outputs.emplace_back(std::move(*script), amounts[i % amounts.size()]);
  }
  return pay_to(outputs);
}

}  // namespace eo::honeypot::chain
