// Transaction codec. Every count read from the wire is checked against the bytes left before
// anything is allocated for it, so hostile input costs at most memory proportional to its size.
#include "common/bitcoin/tx.h"

#include "common/bitcoin/compact_size.h"
#include "common/bitcoin/hash.h"
#include "common/bitcoin/hex.h"

#include <algorithm>

namespace eo::bitcoin {
namespace {

// Smallest possible encodings, used to bound counts by the bytes remaining.
constexpr std::size_t min_input_size = 32 + 4 + 1 + 4;  // outpoint, empty script, sequence
constexpr std::size_t min_output_size = 8 + 1;          // value, empty script

// Reserve no more than this up front; past it vectors grow only as elements actually parse.
constexpr std::uint64_t max_reserve = 1024;

std::size_t reserve_for(std::uint64_t count) {
  return static_cast<std::size_t>(std::min(count, max_reserve));
}

void append_var_bytes(Bytes& out, ByteSpan data) {
  append_compact_size(out, data.size());
  append_bytes(out, data);
}

Bytes serialize_impl(const Transaction& tx, bool with_witness) {
  Bytes out;
  append_i32_le(out, tx.version);
  if (with_witness) {
    append_u8(out, 0x00);  // marker
    append_u8(out, 0x01);  // flag
  }
  append_compact_size(out, tx.inputs.size());
  for (const TxIn& in : tx.inputs) {
    append_bytes(out, in.prevout.txid);
    append_u32_le(out, in.prevout.vout);
    append_var_bytes(out, in.script_sig);
    append_u32_le(out, in.sequence);
  }
  append_compact_size(out, tx.outputs.size());
  for (const TxOut& txout : tx.outputs) {
    append_i64_le(out, txout.value);
    append_var_bytes(out, txout.script_pubkey);
  }
  if (with_witness) {
    for (const TxIn& in : tx.inputs) {
      append_compact_size(out, in.witness.size());
      for (const Bytes& item : in.witness) append_var_bytes(out, item);
    }
  }
  append_u32_le(out, tx.locktime);
  return out;
}

std::optional<std::uint64_t> read_count(ByteReader& r, std::size_t min_element_size) {
  return read_compact_size(
      r, std::min<std::uint64_t>(compact_size_max, r.remaining() / min_element_size));
}

std::optional<Bytes> read_var_bytes(ByteReader& r) {
  const auto len = read_count(r, 1);
  if (!len) return std::nullopt;
  const auto bytes = r.read_bytes(static_cast<std::size_t>(*len));
  if (!bytes) return std::nullopt;
  return Bytes(bytes->begin(), bytes->end());
}

std::optional<TxIn> read_input(ByteReader& r) {
  TxIn in;
  const auto txid = r.read_hash256();
  const auto vout = txid ? r.read_u32_le() : std::nullopt;
  auto script = vout ? read_var_bytes(r) : std::nullopt;
  const auto sequence = script ? r.read_u32_le() : std::nullopt;
  if (!sequence) return std::nullopt;
  in.prevout = OutPoint{*txid, *vout};
  in.script_sig = std::move(*script);
  in.sequence = *sequence;
  return in;
}

std::optional<TxOut> read_output(ByteReader& r) {
  const auto value = r.read_i64_le();
  auto script = value ? read_var_bytes(r) : std::nullopt;
  if (!script) return std::nullopt;
  return TxOut{*value, std::move(*script)};
}

std::optional<std::vector<Bytes>> read_witness(ByteReader& r) {
  const auto count = read_count(r, 1);  // each item needs at least its length byte
  if (!count) return std::nullopt;
  std::vector<Bytes> stack;
  stack.reserve(reserve_for(*count));
  for (std::uint64_t i = 0; i < *count; ++i) {
    auto item = read_var_bytes(r);
    if (!item) return std::nullopt;
    stack.push_back(std::move(*item));
  }
  return stack;
}

std::optional<Transaction> read_body(ByteReader& r) {
  Transaction tx;
  const auto version = r.read_i32_le();
  if (!version) return std::nullopt;
  tx.version = *version;

  // A zero input count cannot start a valid transaction, so 0x00 here is the BIP144 marker
  // and must be followed by flag 0x01.
  const bool segwit = r.peek_u8() == std::uint8_t{0x00};
  if (segwit) {
    r.read_u8();
    if (r.read_u8() != std::uint8_t{0x01}) return std::nullopt;
  }

  const auto n_in = read_count(r, min_input_size);
  if (!n_in || *n_in == 0) return std::nullopt;
  tx.inputs.reserve(reserve_for(*n_in));
  for (std::uint64_t i = 0; i < *n_in; ++i) {
    auto in = read_input(r);
    if (!in) return std::nullopt;
    tx.inputs.push_back(std::move(*in));
  }

  const auto n_out = read_count(r, min_output_size);
  if (!n_out) return std::nullopt;
  tx.outputs.reserve(reserve_for(*n_out));
  for (std::uint64_t i = 0; i < *n_out; ++i) {
    auto out = read_output(r);
    if (!out) return std::nullopt;
    tx.outputs.push_back(std::move(*out));
  }

  if (segwit) {
    for (TxIn& in : tx.inputs) {
      auto stack = read_witness(r);
      if (!stack) return std::nullopt;
      in.witness = std::move(*stack);
    }
    // Bitcoin Core rejects a marker with only empty witnesses ("superfluous witness record"):
    // it would give one transaction two serializations.
    if (!tx.has_witness()) return std::nullopt;
  }

  const auto locktime = r.read_u32_le();
  if (!locktime) return std::nullopt;
  tx.locktime = *locktime;
  return tx;
}

}  // namespace

bool Transaction::has_witness() const {
  return std::any_of(inputs.begin(), inputs.end(),
                     [](const TxIn& in) { return !in.witness.empty(); });
}

bool Transaction::is_coinbase() const {
  return inputs.size() == 1 && inputs[0].prevout.txid == Hash256{} &&
         inputs[0].prevout.vout == 0xffffffff;
}

Bytes serialize(const Transaction& tx) { return serialize_impl(tx, tx.has_witness()); }

Bytes serialize_without_witness(const Transaction& tx) { return serialize_impl(tx, false); }

std::optional<Transaction> read_transaction(ByteReader& reader) {
  ByteReader attempt = reader;
  auto tx = read_body(attempt);
  if (tx) reader = attempt;
  return tx;
}

std::optional<Transaction> parse_transaction(ByteSpan data) {
  if (data.size() > max_transaction_size) return std::nullopt;
  ByteReader reader(data);
  auto tx = read_body(reader);
  if (!tx || !reader.empty()) return std::nullopt;
  return tx;
}

Hash256 txid(const Transaction& tx) { return double_sha256(serialize_without_witness(tx)); }

Hash256 wtxid(const Transaction& tx) { return double_sha256(serialize(tx)); }

std::string txid_hex(const Transaction& tx) { return to_reversed_hex(txid(tx)); }

std::string wtxid_hex(const Transaction& tx) { return to_reversed_hex(wtxid(tx)); }

}  // namespace eo::bitcoin
