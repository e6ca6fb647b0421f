// libFuzzer target for Bech32/Bech32m and segwit addresses (common/bitcoin/bech32): addresses
// typed by users or read from task files, campaign files and servers' replies.
//
// Input layout: byte 0 bit 0 says whether the rest is text to decode or a segwit address to build
// (byte 1 the witness version, the rest the program; a fuzzer rarely guesses a checksum, encoding
// reaches the decoder's success paths). Checked on every input: no crash or sanitizer report;
// what decodes encodes back to the input in lowercase, with the variant the checksum said; a
// segwit address decodes to a program whose bits regroup both ways; what encodes decodes back.
#include "common/bitcoin/bech32.h"
#include "tests/fuzz/fuzz_check.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

using namespace eo::bitcoin;

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

void check_text(std::string_view text) {
  if (const auto decoded = bech32_decode(text)) {
    FUZZ_CHECK(text.size() <= bech32_max_length);
    const auto again = bech32_encode(decoded->variant, decoded->hrp, decoded->values);
    FUZZ_CHECK(again && *again == lower(text));
  }
  if (const auto address = segwit_address_decode(text)) {
    FUZZ_CHECK(address->witness_version <= 16);
    FUZZ_CHECK(address->program.size() >= 2 && address->program.size() <= 40);
    const auto again =
        segwit_address_encode(address->hrp, address->witness_version, address->program);
    FUZZ_CHECK(again && *again == lower(text));
    FUZZ_CHECK(segwit_address_decode(address->hrp, text).has_value());
    const auto five = convert_bits(address->program, 8, 5, true);
    FUZZ_CHECK(five && convert_bits(*five, 5, 8, false) == address->program);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  if ((data[0] & 1) == 0) {
    check_text(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
    return 0;
  }
  const char* hrps[] = {"bc", "tb", "bcrt"};
  const std::uint8_t version = data[1] % 17;
  const ByteSpan program(data + 2, size - 2);
  const auto address = segwit_address_encode(hrps[(data[0] >> 1) % 3], version, program);
  if (!address) return 0;
  const auto back = segwit_address_decode(*address);
  FUZZ_CHECK(back && back->witness_version == version &&
             back->program == Bytes(program.begin(), program.end()));
  check_text(*address);
  return 0;
}
