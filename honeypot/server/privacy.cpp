// Pseudonymizes peer IPs with HMAC-SHA256 under a secret salt (OpenSSL's one-shot HMAC).
#include "honeypot/server/privacy.h"

#include "common/bitcoin/hex.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <cstdint>

namespace eo::honeypot::server {

std::string ip_pseudonym(std::string_view salt, std::string_view ip) {
  std::array<std::uint8_t, EVP_MAX_MD_SIZE> mac{};
  unsigned int size = 0;
  HMAC(EVP_sha256(), salt.data(), static_cast<int>(salt.size()),
       reinterpret_cast<const unsigned char*>(ip.data()), ip.size(), mac.data(), &size);
  return bitcoin::to_hex(bitcoin::ByteSpan(mac.data(), size));
}

}  // namespace eo::honeypot::server
