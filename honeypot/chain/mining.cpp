// Block assembly as Bitcoin Core's regtest miner lays blocks out (coinbase payout, then the
// witness commitment; height push then OP_0), so blocks look like generatetoaddress's.
#include "honeypot/chain/mining.h"

#include "common/bitcoin/hash.h"
#include "common/bitcoin/hex.h"
#include "common/bitcoin/merkle.h"
#include "honeypot/chain/config.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cstdlib>

namespace eo::honeypot::chain {
namespace {

constexpr std::uint8_t op_0 = 0x00;
constexpr std::uint8_t op_1 = 0x51;
constexpr std::uint8_t op_16 = 0x60;
constexpr std::uint8_t op_return = 0x6a;

// The genesis coinbase of every network (the "Chancellor on brink" transaction).
constexpr const char* genesis_coinbase_hex =
    "01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff4d04ffff"
    "001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e20627269"
    "6e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73ffffffff0100f2052a0100000043"
    "4104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f355"
    "04e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac00000000";

}  // namespace

bitcoin::Bytes bip34_height_push(std::int64_t height) {
  assert(height >= 0);
  if (height == 0) return {op_0};
  if (height <= 16) return {static_cast<std::uint8_t>(op_1 + height - 1)};
  bitcoin::Bytes number;
  for (auto rest = static_cast<std::uint64_t>(height); rest != 0; rest >>= 8) {
    number.push_back(static_cast<std::uint8_t>(rest & 0xff));
  }
  if ((number.back() & 0x80) != 0) number.push_back(0x00);  // keep it positive
  bitcoin::Bytes push{static_cast<std::uint8_t>(number.size())};
  push.insert(push.end(), number.begin(), number.end());
  return push;
}

std::optional<std::int64_t> bip34_height(bitcoin::ByteSpan script_sig) {
  if (script_sig.empty()) return std::nullopt;
  const std::uint8_t op = script_sig[0];
  if (op == op_0) return 0;
  if (op >= op_1 && op <= op_16) return op - op_1 + 1;
  if (op > 8 || script_sig.size() < 1u + op) return std::nullopt;
  const bitcoin::ByteSpan number = script_sig.subspan(1, op);
  if ((number.back() & 0x80) != 0) return std::nullopt;  // negative
  if (number.back() == 0 && (number.size() == 1 || (number[number.size() - 2] & 0x80) == 0)) {
    return std::nullopt;  // not minimal
  }
  std::int64_t height = 0;
  for (std::size_t i = number.size(); i-- > 0;) height = (height << 8) | number[i];
  if (height <= 16) return std::nullopt;  // Core writes these as OP_0..OP_16
  return height;
}

std::int64_t block_subsidy(std::int64_t height) {
  const std::int64_t halvings = height / regtest_halving_interval;
  if (halvings >= 64) return 0;
  return (50 * coin) >> halvings;
}

bitcoin::Bytes witness_commitment_script(const std::vector<bitcoin::Transaction>& block_txs) {
  std::vector<bitcoin::Hash256> wtxids{bitcoin::Hash256{}};  // the coinbase's counts as zero
  wtxids.reserve(block_txs.size() + 1);
  for (const bitcoin::Transaction& tx : block_txs) wtxids.push_back(bitcoin::wtxid(tx));
  const bitcoin::Hash256 root = bitcoin::merkle_root(wtxids);
  bitcoin::Bytes preimage(root.begin(), root.end());
  preimage.resize(64, 0x00);  // || witness reserved value (32 zero bytes)
  const bitcoin::Hash256 commitment = bitcoin::double_sha256(preimage);
  // OP_RETURN, push 36 bytes: the BIP141 header aa21a9ed, then the commitment.
  constexpr std::array<std::uint8_t, 6> prefix{op_return, 0x24, 0xaa, 0x21, 0xa9, 0xed};
  bitcoin::Bytes script(prefix.size() + commitment.size());
  std::copy(prefix.begin(), prefix.end(), script.begin());
  std::copy(commitment.begin(), commitment.end(), script.begin() + prefix.size());
  return script;
}

bitcoin::Transaction make_coinbase(std::int64_t height, bitcoin::ByteSpan script,
                                   std::int64_t value,
                                   const std::vector<bitcoin::Transaction>& block_txs) {
  bitcoin::Transaction tx;
  tx.version = 2;
  bitcoin::TxIn in;
  in.prevout.vout = 0xffffffff;
  in.script_sig = bip34_height_push(height);
  in.script_sig.push_back(op_0);
  in.witness.push_back(bitcoin::Bytes(32, 0x00));  // the witness reserved value
  tx.inputs.push_back(std::move(in));
  tx.outputs.push_back(bitcoin::TxOut{value, bitcoin::Bytes(script.begin(), script.end())});
  tx.outputs.push_back(bitcoin::TxOut{0, witness_commitment_script(block_txs)});
  return tx;
}

std::optional<StoredBlock> assemble_block(const bitcoin::BlockHeader& prev,
                                          bitcoin::Transaction coinbase,
                                          std::vector<bitcoin::Transaction> txs, std::uint32_t time,
                                          std::uint32_t bits) {
  StoredBlock block;
  block.txs.reserve(txs.size() + 1);
  block.txs.push_back(std::move(coinbase));
  for (bitcoin::Transaction& tx : txs) block.txs.push_back(std::move(tx));
  block.txids.reserve(block.txs.size());
  for (const bitcoin::Transaction& tx : block.txs) {
    block.txids.push_back(bitcoin::txid(tx));
    block.tx_bytes += bitcoin::serialize(tx).size();
  }
  bitcoin::BlockHeader& header = block.header;
  header.version = block_version;
  header.prev_hash = bitcoin::block_hash(prev);
  header.merkle_root = bitcoin::merkle_root(block.txids);
  header.time = time;
  header.bits = bits;
  // At regtest difficulty about every second nonce meets the target.
  for (std::uint64_t nonce = 0; nonce <= 0xffffffff; ++nonce) {
    header.nonce = static_cast<std::uint32_t>(nonce);
    if (bitcoin::check_proof_of_work(header)) return block;
  }
  return std::nullopt;
}

StoredBlock regtest_genesis_block() {
  StoredBlock block;
  block.header = bitcoin::genesis_header(bitcoin::Network::regtest);
  const auto raw = bitcoin::from_hex(genesis_coinbase_hex);
  auto coinbase = raw ? bitcoin::parse_transaction(*raw) : std::nullopt;
  if (!coinbase) std::abort();  // a constant of this file
  block.txids.push_back(bitcoin::txid(*coinbase));
  assert(block.txids.front() == block.header.merkle_root);
  block.tx_bytes = raw->size();
  block.txs.push_back(std::move(*coinbase));
  return block;
}

}  // namespace eo::honeypot::chain
