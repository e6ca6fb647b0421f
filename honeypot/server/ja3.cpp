// JA3-style TLS client fingerprints: the JA3 string and its MD5, GREASE values left out.
#include "honeypot/server/ja3.h"

#include "common/bitcoin/hex.h"

#include <openssl/evp.h>

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

}  // namespace eo::honeypot::server
