// Bitcoin transactions: the value type, legacy and BIP144 (segwit) serialization, txid, wtxid.
#pragma once

#include "common/bitcoin/bytes.h"
#include "common/bitcoin/wire.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace eo::bitcoin {

// No valid transaction is larger: a block's weight limit is 4,000,000 and a byte weighs >= 1.
inline constexpr std::size_t max_transaction_size = 4'000'000;

struct OutPoint {
  Hash256 txid{};  // internal byte order
  std::uint32_t vout = 0;

  bool operator==(const OutPoint&) const = default;
};

struct TxIn {
  OutPoint prevout;
  Bytes script_sig;
  std::uint32_t sequence = 0xffffffff;
  std::vector<Bytes> witness;  // stack items; empty for a non-segwit input

  bool operator==(const TxIn&) const = default;
};

struct TxOut {
  std::int64_t value = 0;  // satoshis
  Bytes script_pubkey;

  bool operator==(const TxOut&) const = default;
};

struct Transaction {
  std::int32_t version = 2;
  std::vector<TxIn> inputs;
  std::vector<TxOut> outputs;
  std::uint32_t locktime = 0;

  // Some input has a non-empty witness, so serialize() uses the BIP144 format.
  bool has_witness() const;
  bool is_coinbase() const;  // one input spending the null outpoint (zero txid, vout 0xffffffff)

  bool operator==(const Transaction&) const = default;
};

// BIP144 format (marker 0x00, flag 0x01, witnesses before locktime) when has_witness(), else
// the legacy format.
Bytes serialize(const Transaction& tx);

// The legacy format, whose double SHA-256 is the txid.
Bytes serialize_without_witness(const Transaction& tx);

// Parses exactly one transaction filling all of `data` (at most max_transaction_size bytes).
// Rejects truncation, trailing bytes, non-minimal CompactSizes, counts that could not fit in
// the remaining bytes, zero inputs, and a segwit marker with no non-empty witness.
std::optional<Transaction> parse_transaction(ByteSpan data);

// As parse_transaction, for a transaction inside a larger buffer (a block): consumes it from
// `reader` on success and leaves the reader untouched on failure.
std::optional<Transaction> read_transaction(ByteReader& reader);

Hash256 txid(const Transaction& tx);   // double_sha256(serialize_without_witness(tx))
Hash256 wtxid(const Transaction& tx);  // double_sha256(serialize(tx)); equals txid without witness

// Displayed (byte-reversed) hex, as explorers and Electrum show them.
std::string txid_hex(const Transaction& tx);
std::string wtxid_hex(const Transaction& tx);

}  // namespace eo::bitcoin
