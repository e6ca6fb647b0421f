// Bitcoin's CompactSize variable-length integer (counts and lengths in txs and blocks).
#pragma once

#include "common/bitcoin/bytes.h"
#include "common/bitcoin/wire.h"

#include <cstddef>
#include <cstdint>
#include <optional>

namespace eo::bitcoin {

// Bitcoin Core's MAX_SIZE: no count or length in a message may exceed 32 MiB.
inline constexpr std::uint64_t compact_size_max = 0x02000000;

// 1, 3, 5 or 9 bytes.
std::size_t compact_size_length(std::uint64_t value);

void append_compact_size(Bytes& out, std::uint64_t value);

// Reads a canonically (minimally) encoded CompactSize no larger than `max`; nullopt on
// truncation, non-minimal encoding or a value above `max`.
std::optional<std::uint64_t> read_compact_size(ByteReader& reader,
                                               std::uint64_t max = compact_size_max);

}  // namespace eo::bitcoin
