// libFuzzer target for Base58 and Base58Check (common/bitcoin/base58): legacy addresses and
// extended keys typed by users or read from task files, campaign files and servers' replies.
//
// Input layout: byte 0 bit 0 says whether the rest is text to decode or bytes to encode first (a
// fuzzer rarely guesses a checksum; encoding reaches the decoder's success paths). Checked on
// every input: no crash or sanitizer report; what decodes encodes back to the same text (Base58
// has one spelling per byte string, leading zeros as '1's); what is encoded decodes back to the
// same bytes; text longer than base58_max_decode_chars is refused.
#include "common/bitcoin/base58.h"
#include "tests/fuzz/fuzz_check.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

using namespace eo::bitcoin;

void check_text(std::string_view text) {
  const auto raw = base58_decode(text);
  if (text.size() > base58_max_decode_chars) FUZZ_CHECK(!raw);
  if (raw) FUZZ_CHECK(base58_encode(*raw) == text);
  const auto payload = base58check_decode(text);
  if (payload) {
    FUZZ_CHECK(raw && raw->size() == payload->size() + 4);
    FUZZ_CHECK(base58check_encode(*payload) == text);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  if ((data[0] & 1) == 0) {
    check_text(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
    return 0;
  }
  const ByteSpan bytes(data + 1, size - 1);
  const std::string text = base58_encode(bytes);
  const std::string checked = base58check_encode(bytes);
  if (checked.size() > base58_max_decode_chars) return 0;
  const auto back = base58_decode(text);
  FUZZ_CHECK(back && Bytes(bytes.begin(), bytes.end()) == *back);
  const auto payload = base58check_decode(checked);
  FUZZ_CHECK(payload && Bytes(bytes.begin(), bytes.end()) == *payload);
  check_text(checked);
  return 0;
}
