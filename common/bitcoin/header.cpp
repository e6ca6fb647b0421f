// Block header codec and proof of work, following Bitcoin Core's compact-target semantics.
#include "common/bitcoin/header.h"

#include "common/bitcoin/hash.h"
#include "common/bitcoin/hex.h"
#include "common/bitcoin/wire.h"

#include <algorithm>

namespace eo::bitcoin {

std::array<std::uint8_t, block_header_size> serialize(const BlockHeader& header) {
  Bytes out;
  out.reserve(block_header_size);
  append_i32_le(out, header.version);
  append_bytes(out, header.prev_hash);
  append_bytes(out, header.merkle_root);
  append_u32_le(out, header.time);
  append_u32_le(out, header.bits);
  append_u32_le(out, header.nonce);
  std::array<std::uint8_t, block_header_size> result{};
  std::copy(out.begin(), out.end(), result.begin());
  return result;
}

std::optional<BlockHeader> parse_block_header(ByteSpan data) {
  if (data.size() != block_header_size) return std::nullopt;
  ByteReader reader(data);
  BlockHeader h;
  // The size check above guarantees every read succeeds.
  h.version = *reader.read_i32_le();
  h.prev_hash = *reader.read_hash256();
  h.merkle_root = *reader.read_hash256();
  h.time = *reader.read_u32_le();
  h.bits = *reader.read_u32_le();
  h.nonce = *reader.read_u32_le();
  return h;
}

Hash256 block_hash(const BlockHeader& header) { return double_sha256(serialize(header)); }

std::string block_hash_hex(const BlockHeader& header) {
  return to_reversed_hex(block_hash(header));
}

std::optional<Hash256> target_from_bits(std::uint32_t bits) {
  const std::uint32_t exponent = bits >> 24;
  std::uint32_t mantissa = bits & 0x007fffff;
  const bool negative = mantissa != 0 && (bits & 0x00800000) != 0;
  const bool overflow = mantissa != 0 && (exponent > 34 || (mantissa > 0xff && exponent > 33) ||
                                          (mantissa > 0xffff && exponent > 32));
  if (negative || overflow) return std::nullopt;

  Hash256 target{};
  std::size_t offset = 0;
  if (exponent <= 3) {
    mantissa >>= 8 * (3 - exponent);
  } else {
    offset = exponent - 3;
  }
  for (std::size_t i = 0; i < 3; ++i) {
    const auto byte = static_cast<std::uint8_t>(mantissa >> (8 * i));
    if (offset + i < target.size()) target[offset + i] = byte;
  }
  if (target == Hash256{}) return std::nullopt;
  return target;
}

int compare_le256(const Hash256& a, const Hash256& b) {
  for (std::size_t i = a.size(); i-- > 0;) {
    if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

bool check_proof_of_work(const BlockHeader& header) {
  const auto target = target_from_bits(header.bits);
  return target && compare_le256(block_hash(header), *target) <= 0;
}

bool check_proof_of_work(const BlockHeader& header, Network network) {
  const auto target = target_from_bits(header.bits);
  return target && compare_le256(*target, pow_limit(network)) <= 0 &&
         compare_le256(block_hash(header), *target) <= 0;
}

Hash256 pow_limit(Network network) {
  Hash256 limit{};
  limit.fill(0xff);
  if (network == Network::regtest) {
    limit[31] = 0x7f;  // 7fffff...ff
  } else {
    std::fill(limit.begin() + 28, limit.end(), 0x00);  // 00000000ffff...ff
  }
  return limit;
}

BlockHeader genesis_header(Network network) {
  BlockHeader h;
  h.version = 1;
  h.merkle_root =
      *hash256_from_display_hex("4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b");
  switch (network) {
    case Network::mainnet:
      h.time = 1231006505;
      h.bits = 0x1d00ffff;
      h.nonce = 2083236893;
      break;
    case Network::testnet:
      h.time = 1296688602;
      h.bits = 0x1d00ffff;
      h.nonce = 414098458;
      break;
    case Network::regtest:
      h.time = 1296688602;
      h.bits = 0x207fffff;
      h.nonce = 2;
      break;
  }
  return h;
}

}  // namespace eo::bitcoin
