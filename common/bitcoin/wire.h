// Bounds-checked little-endian reading and appending for Bitcoin's wire serialization.
#pragma once

#include "common/bitcoin/bytes.h"

#include <cstddef>
#include <cstdint>
#include <optional>

namespace eo::bitcoin {

// Reads from a borrowed buffer; every read checks the remaining length first and returns
// nullopt (consuming nothing) when the buffer is too short.
class ByteReader {
 public:
  explicit ByteReader(ByteSpan data) : data_(data) {}

  std::size_t remaining() const { return data_.size() - pos_; }
  std::size_t position() const { return pos_; }
  bool empty() const { return remaining() == 0; }

  // The next byte without consuming it.
  std::optional<std::uint8_t> peek_u8(std::size_t offset = 0) const;

  std::optional<std::uint8_t> read_u8();
  std::optional<std::uint16_t> read_u16_le();
  std::optional<std::uint32_t> read_u32_le();
  std::optional<std::uint64_t> read_u64_le();
  std::optional<std::int32_t> read_i32_le();
  std::optional<std::int64_t> read_i64_le();
  std::optional<ByteSpan> read_bytes(std::size_t n);
  std::optional<Hash256> read_hash256();

 private:
  ByteSpan data_;
  std::size_t pos_ = 0;
};

void append_u8(Bytes& out, std::uint8_t v);
void append_u16_le(Bytes& out, std::uint16_t v);
void append_u32_le(Bytes& out, std::uint32_t v);
void append_u64_le(Bytes& out, std::uint64_t v);
void append_i32_le(Bytes& out, std::int32_t v);
void append_i64_le(Bytes& out, std::int64_t v);
void append_bytes(Bytes& out, ByteSpan data);

}  // namespace eo::bitcoin
