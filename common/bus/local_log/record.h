// The on-disk framing of one log record: [u32 length][u32 crc32c(payload)][payload], little
// endian; payload = [u8 version=1][u8 flags=0][i64 timestamp_us][u32 key length][key][value].
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace eo::bus::local_log {

inline constexpr std::size_t kFrameHeaderBytes = 8;
inline constexpr std::size_t kPayloadFixedBytes = 14;  // version, flags, timestamp, key length
inline constexpr std::uint32_t kMaxPayloadBytes = 16u << 20;
inline constexpr std::uint8_t kRecordVersion = 1;

struct Record {
  std::int64_t offset = 0;  // not stored: a record's offset is its index in the log
  std::int64_t timestamp_us = 0;
  std::string key;
  std::string value;
};

// Appends the framed record to `out`. The caller keeps key + value under kMaxPayloadBytes minus
// kPayloadFixedBytes.
void encode_record(std::string_view key, std::string_view value, std::int64_t timestamp_us,
                   std::string& out);

enum class DecodeStatus {
  record,     // a whole valid record; frame_bytes says how many bytes it used
  need_more,  // `bytes` ends inside a frame that looks valid so far (a torn or growing tail)
  corrupt,    // checksum mismatch, impossible length or unknown version
};

struct Decoded {
  DecodeStatus status = DecodeStatus::need_more;
  std::size_t frame_bytes = 0;  // record: whole frame; corrupt: what the header claims (or 0)
  const char* reason = "";      // corrupt: why
};

// Decodes the frame at the start of `bytes` into `out` (only on DecodeStatus::record). Never
// throws and never reads outside `bytes`, whatever they hold.
Decoded decode_record(std::string_view bytes, Record& out);

}  // namespace eo::bus::local_log
