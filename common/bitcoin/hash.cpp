// Hash functions on top of OpenSSL 3's EVP interface (one-shot calls, no shared state).
#include "common/bitcoin/hash.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdio>
#include <cstdlib>

namespace eo::bitcoin {
namespace {

// An EVP call on valid in-memory input fails only when the crypto library itself is unusable
// (missing provider, out of memory): there is no sensible value to return, so stop loudly.
[[noreturn]] void fatal(const char* what) {
  std::fprintf(stderr, "eo::bitcoin: OpenSSL failure: %s\n", what);
  std::abort();
}

template <std::size_t N>
std::array<std::uint8_t, N> digest(const EVP_MD* md, ByteSpan data, const char* name) {
  std::array<std::uint8_t, N> out{};
  unsigned int len = 0;
  if (md == nullptr || EVP_Digest(data.data(), data.size(), out.data(), &len, md, nullptr) != 1 ||
      len != N) {
    fatal(name);
  }
  return out;
}

// RIPEMD-160 lives in OpenSSL 3's default provider since 3.0.7 (Debian 12 ships 3.0.x with it);
// fetch it once, the returned method is immutable and safe to share between threads.
const EVP_MD* ripemd160_md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "RIPEMD160", nullptr);
  if (md == nullptr) fatal("RIPEMD160 is not available in the default provider");
  return md;
}

// EVP_sha256() makes every EVP_Digest fetch the provider's method again (a locked lookup that
// cost more than hashing a short input); fetched once, as for RIPEMD-160.
const EVP_MD* sha256_md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (md == nullptr) fatal("SHA256 is not available in the default provider");
  return md;
}

}  // namespace

Hash256 sha256(ByteSpan data) { return digest<32>(sha256_md(), data, "SHA256"); }

Hash256 double_sha256(ByteSpan data) { return sha256(sha256(data)); }

Hash160 ripemd160(ByteSpan data) { return digest<20>(ripemd160_md(), data, "RIPEMD160"); }

Hash160 hash160(ByteSpan data) { return ripemd160(sha256(data)); }

std::array<std::uint8_t, 64> hmac_sha512(ByteSpan key, ByteSpan data) {
  std::array<std::uint8_t, 64> out{};
  unsigned int len = 0;
  // HMAC() with an empty key needs a non-null pointer on some OpenSSL builds.
  static const std::uint8_t empty = 0;
  const std::uint8_t* key_ptr = key.empty() ? &empty : key.data();
  if (HMAC(EVP_sha512(), key_ptr, static_cast<int>(key.size()), data.data(), data.size(),
           out.data(), &len) == nullptr ||
      len != out.size()) {
    fatal("HMAC-SHA512");
  }
  return out;
}

Hash256 tagged_hash(std::string_view tag, ByteSpan data) {
  const Hash256 tag_hash =
      sha256(ByteSpan(reinterpret_cast<const std::uint8_t*>(tag.data()), tag.size()));
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) fatal("EVP_MD_CTX_new");
  Hash256 out{};
  unsigned int len = 0;
  const bool ok = EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) == 1 &&
                  EVP_DigestUpdate(ctx, tag_hash.data(), tag_hash.size()) == 1 &&
                  EVP_DigestUpdate(ctx, tag_hash.data(), tag_hash.size()) == 1 &&
                  EVP_DigestUpdate(ctx, data.data(), data.size()) == 1 &&
                  EVP_DigestFinal_ex(ctx, out.data(), &len) == 1 && len == out.size();
  EVP_MD_CTX_free(ctx);
  if (!ok) fatal("tagged SHA256");
  return out;
}

}  // namespace eo::bitcoin
