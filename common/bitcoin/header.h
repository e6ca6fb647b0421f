// The 80-byte block header: codec, hash, compact difficulty target and proof-of-work check.
#pragma once

#include "common/bitcoin/bytes.h"
#include "common/bitcoin/network.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace eo::bitcoin {

inline constexpr std::size_t block_header_size = 80;

struct BlockHeader {
  std::int32_t version = 0;
  Hash256 prev_hash{};    // internal byte order
  Hash256 merkle_root{};  // internal byte order
  std::uint32_t time = 0;
  std::uint32_t bits = 0;  // compact target
  std::uint32_t nonce = 0;

  bool operator==(const BlockHeader&) const = default;
};

std::array<std::uint8_t, block_header_size> serialize(const BlockHeader& header);

// Exactly 80 bytes, else nullopt (Electrum sends headers as hex: decode with from_hex first).
std::optional<BlockHeader> parse_block_header(ByteSpan data);

// double_sha256 of the serialization, internal byte order.
Hash256 block_hash(const BlockHeader& header);

// The block hash as explorers and Electrum display it (byte-reversed hex).
std::string block_hash_hex(const BlockHeader& header);

// The 256-bit target encoded by `bits`, as 32 little-endian bytes (byte 0 least significant,
// the same order as a hash in internal order). nullopt if negative, overflowing or zero.
std::optional<Hash256> target_from_bits(std::uint32_t bits);

// Compares two 256-bit numbers stored little-endian: -1, 0 or 1.
int compare_le256(const Hash256& a, const Hash256& b);

// The hash of the header, read as a little-endian number, is <= the target of its bits (and
// the target is valid). Does not check that bits are right for the chain's height.
bool check_proof_of_work(const BlockHeader& header);

// As above and the target does not exceed the network's proof-of-work limit.
bool check_proof_of_work(const BlockHeader& header, Network network);

// Highest target allowed on a network, little-endian like target_from_bits.
Hash256 pow_limit(Network network);

// The genesis block header of each network and its displayed hash.
BlockHeader genesis_header(Network network);
inline constexpr std::string_view mainnet_genesis_hash =
    "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f";
inline constexpr std::string_view testnet_genesis_hash =
    "000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943";
inline constexpr std::string_view regtest_genesis_hash =
    "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206";

}  // namespace eo::bitcoin
