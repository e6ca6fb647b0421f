// JA3-style TLS client fingerprints: what a ClientHello says about the client's TLS library,
// written as the JA3 string and its MD5, with GREASE values (RFC 8701) left out.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

struct ssl_st;

namespace eo::honeypot::server {

// The fields of one ClientHello that JA3 reads, in the order the client sent them.
struct ClientHello {
  bool captured = false;
  std::uint16_t version = 0;  // legacy_version: 771 (0x0303) also for TLS 1.3 clients
  std::vector<std::uint16_t> ciphers;
  std::vector<std::uint16_t> extensions;
  std::vector<std::uint16_t> groups;        // supported_groups (extension 10)
  std::vector<std::uint8_t> point_formats;  // ec_point_formats (extension 11)
};

// 0x0a0a, 0x1a1a, ..., 0xfafa: values clients sprinkle in to keep servers tolerant.
bool is_grease(std::uint16_t value);

// "771,4865-4866-4867,0-11-10-35-22-23-13-43-45-51,29-23-30-25-24,0-1-2": decimal values joined
// by '-', the five fields by ','; GREASE values removed.
std::string ja3_string(const ClientHello& hello);

// Lowercase hex MD5 of the JA3 string (how JA3 fingerprints are published and compared).
std::string ja3_hash(std::string_view ja3);

// Reads the body of supported_groups (a 2-byte length, then 2-byte groups) and of
// ec_point_formats (a 1-byte length, then 1-byte formats). Malformed input gives what could be
// read before the error, never more than the declared length.
std::vector<std::uint16_t> parse_supported_groups(const std::uint8_t* data, std::size_t size);
std::vector<std::uint8_t> parse_point_formats(const std::uint8_t* data, std::size_t size);

// Fills `hello` from the ClientHello OpenSSL has parsed, inside a client hello callback
// (SSL_CTX_set_client_hello_cb): legacy version, ciphers, extension types in order, groups and
// point formats. Sets `captured`.
void read_client_hello(ssl_st* ssl, ClientHello& hello);

}  // namespace eo::honeypot::server
