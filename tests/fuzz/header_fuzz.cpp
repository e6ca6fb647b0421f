// libFuzzer target for block headers (common/bitcoin/header): the 80 bytes of each header a
// server sends (blockchain.block.header(s), headers.subscribe notifications), after hex.
//
// Input layout: byte 0 picks the network for the proof-of-work check, the rest is the header (or
// not). Checked on every input: no crash or sanitizer report; only 80 bytes parse and they
// serialize back unchanged; the compact target agrees with Bitcoin Core's rules
// (arith_uint256::SetCompact: negative, overflowing and zero targets refused), and the
// proof-of-work check with comparing the hash to that target (and, per network, to the limit).
#include "common/bitcoin/header.h"
#include "tests/fuzz/fuzz_check.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace {

using namespace eo::bitcoin;

// arith_uint256::SetCompact, written from its definition: nullopt where Core sets fNegative or
// fOverflow, or the value is zero.
std::optional<Hash256> core_target(std::uint32_t bits) {
  const unsigned size = bits >> 24;
  const std::uint32_t word = bits & 0x007fffff;
  if (word != 0 && (bits & 0x00800000) != 0) return std::nullopt;
  if (word != 0 && (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32))) {
    return std::nullopt;
  }
  Hash256 out{};
  for (unsigned i = 0; i < 3; ++i) {  // the mantissa's bytes, least significant first
    const std::uint8_t byte = static_cast<std::uint8_t>(word >> (8 * i));
    const int at = static_cast<int>(i) + static_cast<int>(size) - 3;
    if (at >= 0 && at < 32) out[static_cast<std::size_t>(at)] = byte;
  }
  if (out == Hash256{}) return std::nullopt;
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const Network networks[] = {Network::mainnet, Network::testnet, Network::regtest};
  const Network network = networks[data[0] % 3];
  const ByteSpan input(data + 1, size - 1);
  const auto header = parse_block_header(input);
  FUZZ_CHECK(header.has_value() == (input.size() == block_header_size));
  if (!header) return 0;
  const auto bytes = serialize(*header);
  FUZZ_CHECK(std::equal(bytes.begin(), bytes.end(), input.begin(), input.end()));
  FUZZ_CHECK(block_hash_hex(*header).size() == 64);

  const auto target = target_from_bits(header->bits);
  FUZZ_CHECK(target == core_target(header->bits));
  const bool pow = check_proof_of_work(*header);
  FUZZ_CHECK(pow == (target && compare_le256(block_hash(*header), *target) <= 0));
  const bool pow_net = check_proof_of_work(*header, network);
  FUZZ_CHECK(pow_net == (pow && compare_le256(*target, pow_limit(network)) <= 0));
  if (target) {
    FUZZ_CHECK(compare_le256(*target, *target) == 0);
    FUZZ_CHECK(compare_le256(*target, block_hash(*header)) ==
               -compare_le256(block_hash(*header), *target));
  }
  return 0;
}
