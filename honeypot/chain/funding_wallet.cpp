// Coin selection is oldest-first and stops as soon as outputs and fee are covered; the fee is
// sized on a placeholder witness of maximal signature length, so the signed transaction never
// pays less than the rate asked for.
#include "honeypot/chain/funding_wallet.h"

#include "common/bitcoin/bip32.h"
#include "common/bitcoin/hash.h"
#include "common/bitcoin/script.h"
#include "common/bitcoin/sign.h"
#include "honeypot/chain/chain_types.h"

#include <string_view>

namespace eo::honeypot::chain {
namespace {

constexpr std::uint32_t rbf_sequence = 0xfffffffd;

std::int64_t fee_for(const bitcoin::Transaction& tx, std::int64_t rate_sat_per_kvb) {
  const auto vsize = static_cast<std::int64_t>(virtual_size(tx));
  return (rate_sat_per_kvb * vsize + 999) / 1000;
}

}  // namespace

std::optional<FundingWallet> FundingWallet::from_seed(bitcoin::ByteSpan seed) {
  const auto master = bitcoin::ExtendedPrivKey::from_seed(seed);
  const auto key = master ? master->derive_path(key_path) : std::nullopt;
  if (!key) return std::nullopt;
  FundingWallet wallet;
  wallet.key_ = key->private_key();
  wallet.pubkey_ = key->public_key();
  wallet.script_ = bitcoin::p2wpkh_script_for_pubkey(wallet.pubkey_);
  wallet.scripthash_ = bitcoin::electrum_scripthash(wallet.script_);
  return wallet;
}

bitcoin::Bytes FundingWallet::default_seed() {
  constexpr std::string_view phrase = "electrum-observatory honeypot regtest funding key";
  const auto hash = bitcoin::sha256(
      bitcoin::ByteSpan(reinterpret_cast<const std::uint8_t*>(phrase.data()), phrase.size()));
  return bitcoin::Bytes(hash.begin(), hash.end());
}

std::optional<BuiltPayment> FundingWallet::build_payment(std::span<const SpendableCoin> coins,
                                                         const std::vector<bitcoin::TxOut>& outputs,
                                                         std::int64_t fee_rate_sat_per_kvb,
                                                         std::uint32_t locktime) const {
  std::int64_t value_out = 0;
  for (const bitcoin::TxOut& out : outputs) value_out += out.value;

  bitcoin::Transaction tx;
  tx.version = 2;
  tx.locktime = locktime;
  tx.outputs = outputs;
  tx.outputs.push_back(bitcoin::TxOut{0, script_});      // change, value set below
  const bitcoin::Bytes placeholder_signature(72, 0x00);  // DER of maximal length + hash type
  const bitcoin::Bytes placeholder_key(pubkey_.begin(), pubkey_.end());

  std::int64_t value_in = 0;
  for (std::size_t i = 0; i < coins.size() && i < max_inputs; ++i) {
    bitcoin::TxIn in;
    in.prevout = coins[i].outpoint;
    in.sequence = rbf_sequence;
    in.witness = {placeholder_signature, placeholder_key};
    tx.inputs.push_back(std::move(in));
    value_in += coins[i].value;

    const std::int64_t fee_with_change = fee_for(tx, fee_rate_sat_per_kvb);
    const std::int64_t change = value_in - value_out - fee_with_change;
    if (change < dust) {
      bitcoin::Transaction without_change = tx;
      without_change.outputs.pop_back();
      if (value_in - value_out < fee_for(without_change, fee_rate_sat_per_kvb)) continue;
      tx = std::move(without_change);
    } else {
      tx.outputs.back().value = change;
    }
    for (std::size_t j = 0; j < tx.inputs.size(); ++j) {
      if (!bitcoin::sign_p2wpkh_input(tx, j, key_, coins[j].value)) return std::nullopt;
    }
    return BuiltPayment{std::move(tx), value_in - value_out - (change < dust ? 0 : change)};
  }
  return std::nullopt;
}

}  // namespace eo::honeypot::chain
