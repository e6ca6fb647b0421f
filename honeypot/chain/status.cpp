// The status string is ASCII ("<64 hex>:<height>:" per item), hashed once with SHA-256.
#include "honeypot/chain/status.h"

#include "common/bitcoin/hash.h"
#include "common/bitcoin/hex.h"

namespace eo::honeypot::chain {

std::optional<std::string> electrum_status(std::span<const HistoryItem> history) {
  if (history.empty()) return std::nullopt;
  std::string text;
  text.reserve(history.size() * 72);
  for (const HistoryItem& item : history) {
    text += item.tx_hash;
    text += ':';
    text += std::to_string(item.height);
    text += ':';
  }
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
  return bitcoin::to_hex(bitcoin::sha256(bitcoin::ByteSpan(bytes, text.size())));
}

}  // namespace eo::honeypot::chain
