// A small in-memory chain behind honeypot::chain::Backend for the server's tests.
#include "tests/honeypot/server/fake_backend.h"

#include "common/bitcoin/hash.h"
#include "common/bitcoin/hex.h"
#include "common/bitcoin/tx.h"

#include <cstdio>

namespace eo::honeypot::server::test {

FakeBackend::FakeBackend(std::int64_t tip) : tip_(tip) {}

std::optional<std::string> FakeBackend::header_hex(std::int64_t height) const {
  if (height < 0 || height > tip_) return std::nullopt;
  char prefix[17];
  std::snprintf(prefix, sizeof prefix, "%016llx", static_cast<unsigned long long>(height));
  return std::string(prefix) + std::string(144, 'a');
}

std::string FakeBackend::genesis_hash() const {
  return "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206";  // regtest
}

std::vector<chain::HistoryItem> FakeBackend::history(const std::string& scripthash) const {
  auto it = history_.find(scripthash);
  return it == history_.end() ? std::vector<chain::HistoryItem>{} : it->second;
}

std::vector<chain::HistoryItem> FakeBackend::mempool(const std::string& scripthash) const {
  std::vector<chain::HistoryItem> out;
  for (const auto& item : history(scripthash)) {
    if (item.height <= 0) out.push_back(item);
  }
  return out;
}

std::vector<chain::Utxo> FakeBackend::unspent(const std::string& scripthash) const {
  auto it = utxos_.find(scripthash);
  return it == utxos_.end() ? std::vector<chain::Utxo>{} : it->second;
}

chain::Balance FakeBackend::balance(const std::string& scripthash) const {
  chain::Balance b;
  for (const auto& u : unspent(scripthash)) (u.height > 0 ? b.confirmed : b.unconfirmed) += u.value;
  return b;
}

std::optional<std::string> FakeBackend::status(const std::string& scripthash) const {
  const auto items = history(scripthash);
  if (items.empty()) return std::nullopt;
  std::string text;
  for (const auto& item : items) text += item.tx_hash + ":" + std::to_string(item.height) + ":";
  return bitcoin::to_hex(bitcoin::sha256(
      bitcoin::ByteSpan(reinterpret_cast<const std::uint8_t*>(text.data()), text.size())));
}

std::optional<std::string> FakeBackend::transaction_hex(const std::string& txid) const {
  auto it = transactions_.find(txid);
  if (it == transactions_.end()) return std::nullopt;
  return it->second.first;
}

std::optional<chain::MerkleProof> FakeBackend::merkle_proof(const std::string& txid,
                                                            std::int64_t height) const {
  auto it = transactions_.find(txid);
  if (it == transactions_.end() || it->second.second != height) return std::nullopt;
  return chain::MerkleProof{height, {hash_of('1'), hash_of('2')}, 1};
}

chain::BroadcastResult FakeBackend::broadcast(const std::string& raw_tx_hex) {
  broadcasts.push_back(raw_tx_hex);
  if (!reject_reason.empty()) return {false, "", reject_reason};
  const auto bytes = bitcoin::from_hex(raw_tx_hex);
  const auto tx = bytes ? bitcoin::parse_transaction(*bytes) : std::nullopt;
  if (!tx) return {false, "", "TX decode failed"};
  return {true, bitcoin::txid_hex(*tx), ""};
}

void FakeBackend::add_history(const std::string& scripthash, chain::HistoryItem item) {
  history_[scripthash].push_back(std::move(item));
}

void FakeBackend::add_utxo(const std::string& scripthash, chain::Utxo utxo) {
  utxos_[scripthash].push_back(std::move(utxo));
}

void FakeBackend::add_transaction(const std::string& txid, std::string hex, std::int64_t height) {
  transactions_[txid] = {std::move(hex), height};
}

void FakeBackend::mine(const std::vector<std::string>& touched) {
  ++tip_;
  for (const auto& sh : touched) {
    add_history(sh, chain::HistoryItem{sample_transaction(static_cast<std::uint32_t>(tip_)).second,
                                       tip_, 0});
  }
  if (listener_) listener_(chain::ChainChange{tip_, touched});
}

std::pair<std::string, std::string> sample_transaction(std::uint32_t seed) {
  bitcoin::Transaction tx;
  bitcoin::TxIn in;
  in.prevout.txid.fill(static_cast<std::uint8_t>(seed + 1));
  in.prevout.vout = seed;
  tx.inputs.push_back(in);
  bitcoin::TxOut out;
  out.value = 10'000 + seed;
  out.script_pubkey = bitcoin::Bytes(22, 0x00);
  out.script_pubkey[1] = 0x14;
  tx.outputs.push_back(out);
  return {bitcoin::to_hex(bitcoin::serialize(tx)), bitcoin::txid_hex(tx)};
}

std::string hash_of(char digit) { return std::string(64, digit); }

}  // namespace eo::honeypot::server::test
