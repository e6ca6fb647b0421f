// Keyed canary derivation. The MAC input is a domain tag plus length-prefixed fields, so it is an
// injective function of the issuance: distinct issuances cannot share a task key except by an
// HMAC-SHA256 collision, and the registry checks even that.
#include "common/canary/derive.h"

#include "common/bitcoin/hash.h"
#include "common/bitcoin/hex.h"
#include "common/bitcoin/wallet_script.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>
#include <stdexcept>

namespace eo::canary {

namespace {

using bitcoin::OutputType;

TaskKey hmac_sha256(bitcoin::ByteSpan key, bitcoin::ByteSpan data) {
  TaskKey out{};
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), data.data(), data.size(),
           out.data(), &length) == nullptr ||
      length != out.size()) {
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  return out;
}

void append_field(bitcoin::Bytes& out, std::string_view field) {
  const auto size = static_cast<std::uint32_t>(field.size());
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(std::uint8_t(size >> shift));
  out.insert(out.end(), field.begin(), field.end());
}

bitcoin::Bytes bytes_of(std::string_view text) { return {text.begin(), text.end()}; }

std::uint32_t purpose(OutputType type) {
  switch (type) {
    case OutputType::p2pkh:
      return 44;
    case OutputType::p2sh_p2wpkh:
      return 49;
    case OutputType::p2wpkh:
      return 84;
    case OutputType::p2tr:
      return 86;
  }
  return 44;
}

// SLIP-132 prefixes, as Electrum shows them: ypub for BIP49, zpub for BIP84, xpub otherwise.
bitcoin::ExtendedKeyKind kind_for(OutputType type) {
  switch (type) {
    case OutputType::p2sh_p2wpkh:
      return bitcoin::ExtendedKeyKind::ypub;
    case OutputType::p2wpkh:
      return bitcoin::ExtendedKeyKind::zpub;
    default:
      return bitcoin::ExtendedKeyKind::xpub;
  }
}

std::optional<std::uint32_t> parse_u32(std::string_view text) {
  std::uint32_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

}  // namespace

TaskKey task_key(bitcoin::ByteSpan secret, const Issuance& issuance) {
  if (secret.size() < kMinSecretBytes) {
    throw std::invalid_argument("canary secret: need at least " + std::to_string(kMinSecretBytes) +
                                " bytes");
  }
  bitcoin::Bytes input = bytes_of("eo-canary-v1/task");
  append_field(input, issuance.campaign_id);
  append_field(input, issuance.target_id);
  append_field(input, issuance.vantage_class);
  append_field(input, std::to_string(issuance.round));
  return hmac_sha256(secret, input);
}

std::string to_hex(const TaskKey& key) { return bitcoin::to_hex(key); }

std::optional<TaskKey> parse_task_key(std::string_view hex) {
  auto bytes = bitcoin::from_hex(hex);
  if (!bytes || bytes->size() != TaskKey{}.size()) return std::nullopt;
  TaskKey key{};
  std::copy(bytes->begin(), bytes->end(), key.begin());
  return key;
}

std::string secret_id(bitcoin::ByteSpan secret) {
  auto digest = bitcoin::sha256(secret);
  return bitcoin::to_hex(bitcoin::ByteSpan(digest).first(8));
}

const std::vector<OutputType>& canary_types() {
  static const std::vector<OutputType> types = {OutputType::p2pkh, OutputType::p2sh_p2wpkh,
                                                OutputType::p2wpkh, OutputType::p2tr};
  return types;
}

bitcoin::ExtendedPubKey canary_account(const TaskKey& key, OutputType type) {
  auto seed = hmac_sha256(key, bytes_of("account|" + std::string(bitcoin::to_string(type))));
  // A seed whose master or account key is invalid has probability ~2^-127 per step: re-key.
  for (std::uint8_t attempt = 0;; ++attempt) {
    auto master = bitcoin::ExtendedPrivKey::from_seed(seed, kind_for(type));
    std::optional<bitcoin::ExtendedPrivKey> account;
    if (master) {
      account = master->derive_path("m/" + std::to_string(purpose(type)) + "'/0'/0'");
    }
    if (account) return account->neuter();
    bitcoin::Bytes retry(seed.begin(), seed.end());
    retry.push_back(attempt);
    seed = bitcoin::sha256(retry);
  }
}

std::string Canary::label() const {
  return std::string(bitcoin::to_string(type)) + "/" + std::to_string(chain) + "/" +
         std::to_string(index);
}

std::vector<Canary> canary_window(const TaskKey& key, OutputType type, std::uint32_t receive,
                                  std::uint32_t change) {
  const auto account = canary_account(key, type);
  std::vector<Canary> out;
  out.reserve(receive + change);
  for (std::uint32_t chain : {0u, 1u}) {
    auto branch = account.derive_child(chain);
    if (!branch) continue;
    const std::uint32_t count = chain == 0 ? receive : change;
    for (std::uint32_t i = 0; i < count; ++i) {
      auto script = bitcoin::output_script_for_child(type, *branch, i);
      if (!script) continue;
      Canary canary;
      canary.type = type;
      canary.chain = chain;
      canary.index = i;
      canary.scripthash = bitcoin::electrum_scripthash(*script);
      canary.address = bitcoin::script_to_address(*script, bitcoin::Network::mainnet).value_or("");
      canary.script = std::move(*script);
      out.push_back(std::move(canary));
    }
  }
  return out;
}

std::vector<Canary> all_canaries(const TaskKey& key) {
  std::vector<Canary> out;
  for (OutputType type : canary_types()) {
    auto window = canary_window(key, type);
    out.insert(out.end(), std::make_move_iterator(window.begin()),
               std::make_move_iterator(window.end()));
  }
  return out;
}

std::optional<Label> parse_label(std::string_view label) {
  auto first = label.find('/');
  if (first == std::string_view::npos) return std::nullopt;
  auto second = label.find('/', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  std::optional<OutputType> type;
  for (OutputType t : canary_types()) {
    if (bitcoin::to_string(t) == label.substr(0, first)) type = t;
  }
  auto chain = parse_u32(label.substr(first + 1, second - first - 1));
  auto index = parse_u32(label.substr(second + 1));
  if (!type || !chain || !index || *chain > 1) return std::nullopt;
  return Label{*type, *chain, *index};
}

}  // namespace eo::canary
