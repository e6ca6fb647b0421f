// Random identifiers (UUID v4 event and session ids) from OpenSSL's CSPRNG, drawn in blocks so
// that an id costs a copy rather than a call into the RNG.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace eo::honeypot::server {

// Not thread-safe: one per server thread.
class RandomSource {
 public:
  // Fills `out` with cryptographically strong bytes; aborts the process if OpenSSL's RNG fails
  // (ids that might repeat would corrupt idempotent consumers downstream).
  void fill(std::span<std::uint8_t> out);

  // "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", lowercase (RFC 4122 version 4, variant 10).
  std::string uuid_v4();
  // The same into `out`, reusing its buffer.
  void uuid_v4(std::string& out);

 private:
  void refill();

  std::array<std::uint8_t, 4096> pool_{};
  std::size_t used_ = pool_.size();
};

}  // namespace eo::honeypot::server
