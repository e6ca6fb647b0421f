// Electrum's status of a script hash, computed from its history as the protocol defines it.
#pragma once

#include "honeypot/chain/backend.h"

#include <optional>
#include <span>
#include <string>

namespace eo::honeypot::chain {

// Lowercase hex SHA-256 of the concatenated "tx_hash:height:" of each item in order; nullopt
// for an empty history (Electrum's null status).
std::optional<std::string> electrum_status(std::span<const HistoryItem> history);

}  // namespace eo::honeypot::chain
