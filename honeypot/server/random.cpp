// Random identifiers (UUID v4 event and session ids) from OpenSSL's CSPRNG, drawn in blocks.
#include "honeypot/server/random.h"

#include <openssl/rand.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace eo::honeypot::server {

void RandomSource::refill() {
  if (RAND_bytes(pool_.data(), static_cast<int>(pool_.size())) != 1) {
    std::fputs("fatal: OpenSSL RAND_bytes failed\n", stderr);
    std::abort();
  }
  used_ = 0;
}

void RandomSource::fill(std::span<std::uint8_t> out) {
  while (!out.empty()) {
    if (used_ == pool_.size()) refill();
    const std::size_t n = std::min(out.size(), pool_.size() - used_);
    std::copy_n(pool_.data() + used_, n, out.data());
    // Bytes handed out are not kept: wipe them so a later memory dump cannot replay ids.
    std::fill_n(pool_.data() + used_, n, std::uint8_t{0});
    used_ += n;
    out = out.subspan(n);
  }
}

std::string RandomSource::uuid_v4() {
  std::string out;
  uuid_v4(out);
  return out;
}

void RandomSource::uuid_v4(std::string& out) {
  std::array<std::uint8_t, 16> b;
  fill(b);
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);
  static constexpr char kHex[] = "0123456789abcdef";
  out.assign(36, '-');
  std::size_t pos = 0;
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) ++pos;  // skip the dash
    out[pos++] = kHex[b[i] >> 4];
    out[pos++] = kHex[b[i] & 0x0f];
  }
}

}  // namespace eo::honeypot::server
