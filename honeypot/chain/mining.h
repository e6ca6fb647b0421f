// Block construction for the regtest chain: BIP34 coinbase, subsidy schedule, BIP141 witness
// commitment, merkle root, and the nonce search against the header's target.
#pragma once

#include "honeypot/chain/chain_types.h"

#include "common/bitcoin/bytes.h"
#include "common/bitcoin/header.h"
#include "common/bitcoin/tx.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace eo::honeypot::chain {

inline constexpr std::uint32_t regtest_bits = 0x207fffff;
inline constexpr std::int32_t block_version = 0x20000000;  // BIP9 top bits, no signalling
inline constexpr std::int64_t regtest_halving_interval = 150;
inline constexpr std::size_t max_coinbase_script_size = 10'000;  // Bitcoin's MAX_SCRIPT_SIZE

// The push of `height` that BIP34 requires at the start of a coinbase scriptSig, encoded as a
// script number the way `CScript() << height` does: OP_0, OP_1..OP_16, else a minimal
// little-endian push with a sign bit. Height must be >= 0.
bitcoin::Bytes bip34_height_push(std::int64_t height);

// The height a coinbase scriptSig starts with (the inverse of bip34_height_push); nullopt if
// it does not start with a minimal non-negative number push.
std::optional<std::int64_t> bip34_height(bitcoin::ByteSpan script_sig);

// 50 BTC halved every 150 blocks (regtest), zero after 64 halvings.
std::int64_t block_subsidy(std::int64_t height);

// The coinbase of block `height`: scriptSig = height push, OP_0 (as Bitcoin Core's miner
// writes it, which also meets the 2-byte minimum); one output of `value` to `script`; and,
// as Bitcoin Core always adds it, the BIP141 witness commitment over `block_txs` (the block's
// other transactions) with an all-zero witness reserved value in the coinbase witness.
bitcoin::Transaction make_coinbase(std::int64_t height, bitcoin::ByteSpan script,
                                   std::int64_t value,
                                   const std::vector<bitcoin::Transaction>& block_txs);

// The OP_RETURN output script committing to the witness merkle root of coinbase + block_txs.
bitcoin::Bytes witness_commitment_script(const std::vector<bitcoin::Transaction>& block_txs);

// Assembles a block on `prev`: coinbase first, then `txs` in the given (valid) order; fills
// txids, tx_bytes, the header's merkle root, and a nonce meeting `bits`. nullopt only if no
// nonce in 2^32 attempts meets the target (never at regtest difficulty).
std::optional<StoredBlock> assemble_block(const bitcoin::BlockHeader& prev,
                                          bitcoin::Transaction coinbase,
                                          std::vector<bitcoin::Transaction> txs, std::uint32_t time,
                                          std::uint32_t bits = regtest_bits);

// The regtest genesis block (header and its one coinbase, shared with mainnet).
StoredBlock regtest_genesis_block();

}  // namespace eo::honeypot::chain
