// The chain's own wallet: one P2WPKH key from a BIP32 seed that the chain mines to, and that
// builds and signs the transactions paying the honeypot's test wallets.
#pragma once

#include "common/bitcoin/bytes.h"
#include "common/bitcoin/keys.h"
#include "common/bitcoin/tx.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace eo::honeypot::chain {

struct SpendableCoin {
  bitcoin::OutPoint outpoint;
  std::int64_t value = 0;
};

struct BuiltPayment {
  bitcoin::Transaction tx;  // signed
  std::int64_t fee = 0;
};

class FundingWallet {
 public:
  static constexpr const char* key_path = "m/84'/1'/0'/0/0";
  static constexpr std::int64_t dust = 294;  // Bitcoin Core's dust limit of a P2WPKH output
  static constexpr std::size_t max_inputs = 600;

  // nullopt if the seed is not 16..64 bytes (or in the ~2^-127 case of an invalid child key).
  static std::optional<FundingWallet> from_seed(bitcoin::ByteSpan seed);
  // The fixed seed used when the config gives none: SHA-256 of a constant phrase.
  static bitcoin::Bytes default_seed();

  const bitcoin::Bytes& script() const { return script_; }
  const std::string& scripthash() const { return scripthash_; }
  const bitcoin::CompressedPubKey& pubkey() const { return pubkey_; }

  // Spends the first coins of `coins` (all paying script()), as many as needed, to `outputs`
  // plus change back to script() unless the change would be dust (then it goes to the fee).
  // The fee is fee_rate_sat_per_kvb per 1000 vbytes of the signed size, rounded up; version 2,
  // RBF-signalling sequences and `locktime`, as Bitcoin Core's wallet writes them. nullopt when
  // the coins (at most max_inputs of them) do not cover outputs and fee.
  std::optional<BuiltPayment> build_payment(std::span<const SpendableCoin> coins,
                                            const std::vector<bitcoin::TxOut>& outputs,
                                            std::int64_t fee_rate_sat_per_kvb,
                                            std::uint32_t locktime) const;

 private:
  FundingWallet() = default;

  bitcoin::SecretKey key_{};
  bitcoin::CompressedPubKey pubkey_{};
  bitcoin::Bytes script_;
  std::string scripthash_;
};

}  // namespace eo::honeypot::chain
