// Record framing. Length 0 and all-zero payloads are rejected on purpose: a crash can leave a run
// of zero bytes at the end of a file, and it must read as a torn tail, not as empty records.
#include "common/bus/local_log/record.h"

#include "common/bus/local_log/crc32c.h"

namespace eo::bus::local_log {
namespace {

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::uint64_t get_le(std::string_view bytes, std::size_t at, int width) {
  std::uint64_t v = 0;
  for (int i = 0; i < width; ++i) {
    v |= std::uint64_t(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
  }
  return v;
}

}  // namespace

void encode_record(std::string_view key, std::string_view value, std::int64_t timestamp_us,
                   std::string& out) {
  std::size_t start = out.size();
  out.append(kFrameHeaderBytes, '\0');
  out.push_back(static_cast<char>(kRecordVersion));
  out.push_back('\0');  // flags, reserved
  put_u64(out, static_cast<std::uint64_t>(timestamp_us));
  put_u32(out, static_cast<std::uint32_t>(key.size()));
  out.append(key);
  out.append(value);
  std::string_view payload(out.data() + start + kFrameHeaderBytes,
                           out.size() - start - kFrameHeaderBytes);
  std::uint32_t length = static_cast<std::uint32_t>(payload.size());
  std::uint32_t crc = crc32c(payload);
  for (int i = 0; i < 4; ++i) {
    out[start + i] = static_cast<char>((length >> (8 * i)) & 0xff);
    out[start + 4 + i] = static_cast<char>((crc >> (8 * i)) & 0xff);
  }
}

Decoded decode_record(std::string_view bytes, Record& out) {
  if (bytes.size() < kFrameHeaderBytes) return {DecodeStatus::need_more, 0, ""};
  auto length = static_cast<std::uint32_t>(get_le(bytes, 0, 4));
  auto crc = static_cast<std::uint32_t>(get_le(bytes, 4, 4));
  if (length < kPayloadFixedBytes || length > kMaxPayloadBytes) {
    return {DecodeStatus::corrupt, 0, "impossible record length"};
  }
  std::size_t frame = kFrameHeaderBytes + length;
  if (bytes.size() < frame) return {DecodeStatus::need_more, frame, ""};
  std::string_view payload = bytes.substr(kFrameHeaderBytes, length);
  if (crc32c(payload) != crc) return {DecodeStatus::corrupt, frame, "checksum mismatch"};
  if (static_cast<std::uint8_t>(payload[0]) != kRecordVersion) {
    return {DecodeStatus::corrupt, frame, "unknown record version"};
  }
  auto key_length = get_le(payload, 10, 4);
  if (key_length > length - kPayloadFixedBytes) {
    return {DecodeStatus::corrupt, frame, "key length beyond the record"};
  }
  out.timestamp_us = static_cast<std::int64_t>(get_le(payload, 2, 8));
  out.key.assign(payload.substr(kPayloadFixedBytes, key_length));
  out.value.assign(payload.substr(kPayloadFixedBytes + key_length));
  return {DecodeStatus::record, frame, ""};
}

}  // namespace eo::bus::local_log
