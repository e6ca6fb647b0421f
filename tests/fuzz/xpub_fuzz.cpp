// libFuzzer target for extended keys (common/bitcoin/bip32): the xpub/ypub/zpub/tpub/upub/vpub
// strings the xpub gap scan and canaries read (and their private counterparts).
//
// Input layout: byte 0 bit 0 says whether the rest is text, or a 78-byte serialization to wrap
// in Base58Check first (a fuzzer rarely guesses a checksum; wrapping reaches the field checks).
// Checked on every input: no crash or sanitizer report; a parsed key prints back as the input; a
// public key's first child derives (unless the tweak is invalid) one level deeper with the
// parent's fingerprint; a private key's neutered form parses and derives the same public child.
#include "common/bitcoin/base58.h"
#include "common/bitcoin/bip32.h"
#include "tests/fuzz/fuzz_check.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

using namespace eo::bitcoin;

void check_text(std::string_view text) {
  if (const auto pub = ExtendedPubKey::parse(text)) {
    FUZZ_CHECK(pub->to_string() == text);
    if (const auto child = pub->derive_child(1)) {
      FUZZ_CHECK(child->depth == pub->depth + 1 && child->child_number == 1);
      FUZZ_CHECK(child->parent_fingerprint == pub->fingerprint());
      FUZZ_CHECK(ExtendedPubKey::parse(child->to_string()) == child);
    }
    FUZZ_CHECK(!pub->derive_child(0x80000000u));
  }
  if (const auto priv = ExtendedPrivKey::parse(text)) {
    FUZZ_CHECK(priv->to_string() == text);
    const ExtendedPubKey pub = priv->neuter();
    FUZZ_CHECK(ExtendedPubKey::parse(pub.to_string()) == pub);
    const auto child = priv->derive_child(1);
    if (child) FUZZ_CHECK(child->neuter() == pub.derive_child(1));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  if ((data[0] & 1) == 0) {
    check_text(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  } else if (size - 1 <= 200) {
    check_text(base58check_encode(ByteSpan(data + 1, size - 1)));
  }
  return 0;
}
