// Canary derivation: from (campaign secret, campaign, target, vantage class, round) to a per-task
// key, and from that key to wallet accounts (one xpub per address type) whose gap-limit window is
// the set of canary scripts. The coordinator holds the secret and hands agents only task keys;
// the key-to-scripts half is what agent, honeypot and aggregator share. See docs/canaries.md.
#pragma once

#include "common/bitcoin/bip32.h"
#include "common/bitcoin/bytes.h"
#include "common/bitcoin/script.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eo::canary {

// Who a canary was given to: one (campaign, target, vantage class, round).
struct Issuance {
  std::string campaign_id;
  std::string target_id;
  std::string vantage_class;
  std::uint32_t round = 0;

  bool operator==(const Issuance&) const = default;
  auto operator<=>(const Issuance&) const = default;
};

// HMAC-SHA256(secret, issuance): whoever holds it can derive that issuance's canaries and
// nothing else (not the secret, not another issuance's canaries).
using TaskKey = std::array<std::uint8_t, 32>;

// The smallest secret we accept (bytes): shorter secrets are guessable.
inline constexpr std::size_t kMinSecretBytes = 16;
// A wallet's gap-limit window: what xpub_gap_scan queries and the registry issues.
inline constexpr std::uint32_t kReceiveWindow = 20;
inline constexpr std::uint32_t kChangeWindow = 10;

// Every field is length-prefixed in the MAC's input, so two different issuances never feed the
// MAC the same bytes. Throws std::invalid_argument on a secret below kMinSecretBytes.
TaskKey task_key(bitcoin::ByteSpan secret, const Issuance& issuance);
std::string to_hex(const TaskKey& key);
// 64 hex characters; nullopt on anything else.
std::optional<TaskKey> parse_task_key(std::string_view hex);
// A short public name of a secret (first 8 bytes of SHA-256, hex), for logs and Task's
// campaign_secret_id: tells secrets apart without revealing them.
std::string secret_id(bitcoin::ByteSpan secret);

// The canary address types: every type the address probes query.
const std::vector<bitcoin::OutputType>& canary_types();

// The account a wallet of `type` would show (BIP44/49/84/86 path m/purpose'/0'/0' of a master key
// seeded by HMAC-SHA256(key, "account|<type>")), as xpub (P2PKH, P2TR), ypub or zpub.
bitcoin::ExtendedPubKey canary_account(const TaskKey& key, bitcoin::OutputType type);

// One canary script: child `chain`/`index` (0 receive, 1 change) of the type's account.
struct Canary {
  bitcoin::OutputType type = bitcoin::OutputType::p2wpkh;
  std::uint32_t chain = 0;
  std::uint32_t index = 0;
  bitcoin::Bytes script;
  std::string scripthash;  // Electrum's
  std::string address;     // mainnet

  // "p2wpkh/0/5": type, chain, index.
  std::string label() const;
};

// Receive 0..receive-1 then change 0..change-1 of the type's account (an invalid child, ~2^-127,
// is skipped as BIP32 says).
std::vector<Canary> canary_window(const TaskKey& key, bitcoin::OutputType type,
                                  std::uint32_t receive = kReceiveWindow,
                                  std::uint32_t change = kChangeWindow);
// The window of every canary type.
std::vector<Canary> all_canaries(const TaskKey& key);

// "p2wpkh/0/5" back to its parts; nullopt on anything else.
struct Label {
  bitcoin::OutputType type;
  std::uint32_t chain;
  std::uint32_t index;
};
std::optional<Label> parse_label(std::string_view label);

}  // namespace eo::canary
