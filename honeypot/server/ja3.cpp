// JA3-style TLS client fingerprints: the ClientHello fields read from OpenSSL, the JA3 string
// and its MD5, GREASE values left out.
#include "honeypot/server/ja3.h"

#include "common/bitcoin/hex.h"

#include <openssl/evp.h>
#include <openssl/ssl.h>

#include <array>

namespace eo::honeypot::server {
namespace {

template <typename T>
void append_list(std::string& out, const std::vector<T>& values, bool skip_grease) {
  bool first = true;
  for (const T value : values) {
    if (skip_grease && is_grease(static_cast<std::uint16_t>(value))) continue;
    if (!first) out.push_back('-');
    out.append(std::to_string(static_cast<unsigned>(value)));
    first = false;
  }
}

}  // namespace

bool is_grease(std::uint16_t value) {
  return (value & 0x0f0f) == 0x0a0a && (value >> 8) == (value & 0xff);
}

std::string ja3_string(const ClientHello& hello) {
  std::string out = std::to_string(hello.version);
  out.push_back(',');
  append_list(out, hello.ciphers, true);
  out.push_back(',');
  append_list(out, hello.extensions, true);
  out.push_back(',');
  append_list(out, hello.groups, true);
  out.push_back(',');
  append_list(out, hello.point_formats, false);
  return out;
}

std::string ja3_hash(std::string_view ja3) {
  std::array<std::uint8_t, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  EVP_Digest(ja3.data(), ja3.size(), digest.data(), &size, EVP_md5(), nullptr);
  return bitcoin::to_hex(bitcoin::ByteSpan(digest.data(), size));
}

std::vector<std::uint16_t> parse_supported_groups(const std::uint8_t* data, std::size_t size) {
  std::vector<std::uint16_t> groups;
  if (data == nullptr || size < 2) return groups;
  std::size_t length = (std::size_t{data[0]} << 8) | data[1];
  if (length > size - 2) length = size - 2;
  for (std::size_t i = 2; i + 1 < 2 + length; i += 2) {
    groups.push_back(static_cast<std::uint16_t>((data[i] << 8) | data[i + 1]));
  }
  return groups;
}

std::vector<std::uint8_t> parse_point_formats(const std::uint8_t* data, std::size_t size) {
  std::vector<std::uint8_t> formats;
  if (data == nullptr || size < 1) return formats;
  std::size_t length = data[0];
  if (length > size - 1) length = size - 1;
  formats.assign(data + 1, data + 1 + length);
  return formats;
}

void read_client_hello(ssl_st* ssl, ClientHello& hello) {
  hello.version = static_cast<std::uint16_t>(SSL_client_hello_get0_legacy_version(ssl));
  const unsigned char* data = nullptr;
  const std::size_t cipher_bytes = SSL_client_hello_get0_ciphers(ssl, &data);
  for (std::size_t i = 0; i + 1 < cipher_bytes; i += 2) {
    hello.ciphers.push_back(static_cast<std::uint16_t>((data[i] << 8) | data[i + 1]));
  }
  int* types = nullptr;
  std::size_t count = 0;
  if (SSL_client_hello_get1_extensions_present(ssl, &types, &count) == 1) {
    for (std::size_t i = 0; i < count; ++i) {
      hello.extensions.push_back(static_cast<std::uint16_t>(types[i]));
    }
    OPENSSL_free(types);
  }
  std::size_t size = 0;
  if (SSL_client_hello_get0_ext(ssl, 10, &data, &size) == 1) {
    hello.groups = parse_supported_groups(data, size);
  }
  if (SSL_client_hello_get0_ext(ssl, 11, &data, &size) == 1) {
    hello.point_formats = parse_point_formats(data, size);
  }
  hello.captured = true;
}

}  // namespace eo::honeypot::server
