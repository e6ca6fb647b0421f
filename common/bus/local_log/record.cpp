// Record framing. Length 0 and all-zero payloads are rejected on purpose: a crash can leave a run
// of zero bytes at the end of a file, and it must read as a torn tail, not as empty records.
#include "common/bus/local_log/record.h"

#include "common/bus/local_log/crc32c.h"

#include <cstring>

namespace eo::bus::local_log {
namespace {

void put_le(char* at, std::uint64_t v, int width) {
  for (int i = 0; i < width; ++i) at[i] = static_cast<char>((v >> (8 * i)) & 0xff);
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
  const std::size_t start = out.size();
  const std::size_t length = kPayloadFixedBytes + key.size() + value.size();
  // One resize and three copies (no per-byte appends): this runs once per published record.
  out.resize(start + kFrameHeaderBytes + length);
  char* frame = out.data() + start;
  char* payload = frame + kFrameHeaderBytes;
  payload[0] = static_cast<char>(kRecordVersion);
  payload[1] = '\0';  // flags, reserved
  put_le(payload + 2, static_cast<std::uint64_t>(timestamp_us), 8);
  put_le(payload + 10, key.size(), 4);
  if (!key.empty()) std::memcpy(payload + kPayloadFixedBytes, key.data(), key.size());
  if (!value.empty()) {
    std::memcpy(payload + kPayloadFixedBytes + key.size(), value.data(), value.size());
  }
  put_le(frame, length, 4);
  put_le(frame + 4, crc32c(std::string_view(payload, length)), 4);
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
  // Reserved: a writer that set a flag meant something this reader would silently drop.
  if (payload[1] != '\0') return {DecodeStatus::corrupt, frame, "unknown record flags"};
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
