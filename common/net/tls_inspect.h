// What a TLS peer presented and how a default verifier would judge it. The handshake itself
// never verifies (we must capture self-signed, expired and mismatched chains); this judges after.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

struct ssl_st;
struct x509_st;

namespace eo::net {

struct CertificateInfo {
  std::string der;
  std::string subject;  // RFC 2253
  std::string issuer;
  std::vector<std::string> san_dns;
  std::vector<std::string> san_ip;
  std::int64_t not_before_unix = 0;
  std::int64_t not_after_unix = 0;
  std::string sha256_fingerprint;  // lowercase hex
  std::string spki_sha256;
  std::string key_type;  // "RSA", "EC", "ED25519", ...
  std::uint32_t key_bits = 0;
  std::string serial_hex;
};

struct TlsReport {
  std::string version;  // "TLSv1.3"
  std::string cipher;
  std::string alpn;
  std::vector<CertificateInfo> chain;  // leaf first
  bool verified = false;
  std::string verify_error;
  bool self_signed = false;
  bool expired = false;
  bool hostname_mismatch = false;
};

CertificateInfo describe_certificate(x509_st* cert);

// Inspects an established client connection; `expected_host` (name or IP literal) is what a
// wallet would check the certificate against.
TlsReport inspect_tls(ssl_st* ssl, std::string_view expected_host);

}  // namespace eo::net
