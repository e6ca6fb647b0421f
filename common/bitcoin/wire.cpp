// Little-endian integer codecs; signed values travel as their two's-complement bit patterns.
#include "common/bitcoin/wire.h"

#include <algorithm>

namespace eo::bitcoin {
namespace {

template <typename T>
std::optional<T> read_le(ByteSpan data, std::size_t& pos) {
  if (data.size() - pos < sizeof(T)) return std::nullopt;
  T v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) v |= static_cast<T>(T{data[pos + i]} << (8 * i));
  pos += sizeof(T);
  return v;
}

template <typename T>
void append_le(Bytes& out, T v) {
  for (std::size_t i = 0; i < sizeof(T); ++i) {
    out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
}

}  // namespace

std::optional<std::uint8_t> ByteReader::peek_u8(std::size_t offset) const {
  if (offset >= remaining()) return std::nullopt;
  return data_[pos_ + offset];
}

std::optional<std::uint8_t> ByteReader::read_u8() { return read_le<std::uint8_t>(data_, pos_); }
std::optional<std::uint16_t> ByteReader::read_u16_le() {
  return read_le<std::uint16_t>(data_, pos_);
}
std::optional<std::uint32_t> ByteReader::read_u32_le() {
  return read_le<std::uint32_t>(data_, pos_);
}
std::optional<std::uint64_t> ByteReader::read_u64_le() {
  return read_le<std::uint64_t>(data_, pos_);
}

std::optional<std::int32_t> ByteReader::read_i32_le() {
  const auto v = read_u32_le();
  if (!v) return std::nullopt;
  return static_cast<std::int32_t>(*v);
}

std::optional<std::int64_t> ByteReader::read_i64_le() {
  const auto v = read_u64_le();
  if (!v) return std::nullopt;
  return static_cast<std::int64_t>(*v);
}

std::optional<ByteSpan> ByteReader::read_bytes(std::size_t n) {
  if (n > remaining()) return std::nullopt;
  const ByteSpan out = data_.subspan(pos_, n);
  pos_ += n;
  return out;
}

std::optional<Hash256> ByteReader::read_hash256() {
  const auto bytes = read_bytes(32);
  if (!bytes) return std::nullopt;
  Hash256 out{};
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

void append_u8(Bytes& out, std::uint8_t v) { out.push_back(v); }
void append_u16_le(Bytes& out, std::uint16_t v) { append_le(out, v); }
void append_u32_le(Bytes& out, std::uint32_t v) { append_le(out, v); }
void append_u64_le(Bytes& out, std::uint64_t v) { append_le(out, v); }
void append_i32_le(Bytes& out, std::int32_t v) { append_le(out, static_cast<std::uint32_t>(v)); }
void append_i64_le(Bytes& out, std::int64_t v) { append_le(out, static_cast<std::uint64_t>(v)); }
void append_bytes(Bytes& out, ByteSpan data) { out.insert(out.end(), data.begin(), data.end()); }

}  // namespace eo::bitcoin
