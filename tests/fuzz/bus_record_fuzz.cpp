// libFuzzer target for the embedded bus log's records (common/bus/local_log/record): segment file
// bytes as SegmentCursor reads them after a crash, a torn write or a disk fault, frame by frame.
//
// Input layout: byte 0 bit 0 says whether to fix each frame's checksum before decoding (a fuzzer
// rarely guesses a CRC-32C; fixing it reaches the payload checks), the rest is the file. Checked
// on every input: no crash or sanitizer report; a record re-encodes to exactly its frame; no
// strict prefix of a frame that decodes is refused (a growing tail is need_more, never corrupt);
// a corrupt frame's claimed size is 0 or at least a header; need_more never on a whole frame.
#include "common/bus/local_log/crc32c.h"
#include "common/bus/local_log/record.h"
#include "tests/fuzz/fuzz_check.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

using namespace eo::bus::local_log;

std::uint32_t le32(std::string_view bytes, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    v |= std::uint32_t{static_cast<std::uint8_t>(bytes[at + i])} << (8 * i);
  }
  return v;
}

// Writes the CRC-32C of the frame's payload into its header, when the frame is whole.
void fix_checksum(std::string& file, std::size_t at) {
  if (file.size() - at < kFrameHeaderBytes) return;
  const std::uint32_t length = le32(file, at);
  if (length > file.size() - at - kFrameHeaderBytes) return;
  const std::uint32_t crc = crc32c(std::string_view(file).substr(at + kFrameHeaderBytes, length));
  for (std::size_t i = 0; i < 4; ++i) file[at + 4 + i] = static_cast<char>(crc >> (8 * i));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool fix = data[0] & 1;
  std::string file(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::size_t at = 0;
  while (at < file.size()) {
    if (fix) fix_checksum(file, at);
    const std::string_view rest = std::string_view(file).substr(at);
    Record record;
    const Decoded decoded = decode_record(rest, record);
    if (decoded.status == DecodeStatus::need_more) {
      FUZZ_CHECK(decoded.frame_bytes == 0 || decoded.frame_bytes > rest.size());
      break;
    }
    if (decoded.status == DecodeStatus::corrupt) {
      FUZZ_CHECK(decoded.frame_bytes == 0 || decoded.frame_bytes >= kFrameHeaderBytes);
      FUZZ_CHECK(*decoded.reason != '\0');
      break;
    }
    FUZZ_CHECK(decoded.frame_bytes >= kFrameHeaderBytes + kPayloadFixedBytes &&
               decoded.frame_bytes <= rest.size());
    std::string again;
    encode_record(record.key, record.value, record.timestamp_us, again);
    FUZZ_CHECK(again == rest.substr(0, decoded.frame_bytes));
    for (std::size_t cut = 0; cut < decoded.frame_bytes; cut += 1 + cut / 4) {
      Record partial;
      FUZZ_CHECK(decode_record(rest.substr(0, cut), partial).status == DecodeStatus::need_more);
    }
    at += decoded.frame_bytes;
  }
  return 0;
}
