// CompactSize codec; the decoder enforces minimal encoding as Bitcoin Core does.
#include "common/bitcoin/compact_size.h"

namespace eo::bitcoin {

std::size_t compact_size_length(std::uint64_t value) {
  if (value < 0xfd) return 1;
  if (value <= 0xffff) return 3;
  if (value <= 0xffffffff) return 5;
  return 9;
}

void append_compact_size(Bytes& out, std::uint64_t value) {
  if (value < 0xfd) {
    append_u8(out, static_cast<std::uint8_t>(value));
  } else if (value <= 0xffff) {
    append_u8(out, 0xfd);
    append_u16_le(out, static_cast<std::uint16_t>(value));
  } else if (value <= 0xffffffff) {
    append_u8(out, 0xfe);
    append_u32_le(out, static_cast<std::uint32_t>(value));
  } else {
    append_u8(out, 0xff);
    append_u64_le(out, value);
  }
}

std::optional<std::uint64_t> read_compact_size(ByteReader& reader, std::uint64_t max) {
  ByteReader attempt = reader;  // commit only on success
  const auto first = attempt.read_u8();
  if (!first) return std::nullopt;
  std::uint64_t value = *first;
  std::uint64_t minimum = 0;
  if (*first == 0xfd) {
    const auto v = attempt.read_u16_le();
    if (!v) return std::nullopt;
    value = *v;
    minimum = 0xfd;
  } else if (*first == 0xfe) {
    const auto v = attempt.read_u32_le();
    if (!v) return std::nullopt;
    value = *v;
    minimum = 0x10000;
  } else if (*first == 0xff) {
    const auto v = attempt.read_u64_le();
    if (!v) return std::nullopt;
    value = *v;
    minimum = 0x100000000;
  }
  if (value < minimum || value > max) return std::nullopt;
  reader = attempt;
  return value;
}

}  // namespace eo::bitcoin
