// Checks on method arguments from untrusted clients, mirroring how the emulated servers read them.
#pragma once

#include "common/bitcoin/hash.h"
#include "common/bitcoin/hex.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace eo::honeypot::server {

bool is_hex(std::string_view text, bool allow_odd_length = false);

// A script hash or txid: 64 hex characters (either case), returned lowercase.
std::optional<std::string> hash_arg(const nlohmann::json& value);

// ElectrumX's non_negative_integer(): an integer, or a string of decimal digits, >= 0.
std::optional<std::int64_t> non_negative_arg(const nlohmann::json& value);

// How a value reads in an error message: a string as it is (Python's str()), else its JSON,
// cut to 200 bytes (errors must stay small whatever the client sent).
std::string value_text(const nlohmann::json& value);
// As Python's repr() prints a JSON value (['1.0', '1.1'], None, True; control characters are not
// escaped), which is how ElectrumX's f-string error messages show a non-string value; cut at 200
// bytes like value_text.
std::string python_value_text(const nlohmann::json& value);

// 1234567 -> "1,234,567" (Python's "{:,d}").
std::string with_commas(std::int64_t value);

// Electrum's status of a history: hex sha256 of "tx_hash:height:" for each item; nullopt if none.
template <typename Items>
std::optional<std::string> history_status(const Items& items) {
  if (items.empty()) return std::nullopt;
  std::string text;
  for (const auto& item : items) {
    text.append(item.tx_hash).push_back(':');
    text.append(std::to_string(item.height)).push_back(':');
  }
  const auto digest = bitcoin::sha256(
      bitcoin::ByteSpan(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  return bitcoin::to_hex(digest);
}

}  // namespace eo::honeypot::server
