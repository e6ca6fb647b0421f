// Certificates with the OpenSSL 3 API (EC P-256 keys): a development CA for the coordinator's
// mTLS, the server and agent certificates it issues, and self-signed ones for tests.
#pragma once

#include <string>
#include <vector>

namespace eo::pki {

struct CertSpec {
  std::string common_name = "localhost";
  std::vector<std::string> dns_names;      // subjectAltName DNS entries
  std::vector<std::string> ip_addresses;   // subjectAltName IP entries
  long not_before_offset_s = -3600;        // relative to now (clock skew between hosts)
  long not_after_offset_s = 825L * 86400;  // negative: already expired
  bool ca = false;                         // basicConstraints CA:TRUE, keyCertSign
};

// A certificate and its private key, both PEM.
struct KeyPair {
  std::string cert_pem;
  std::string key_pem;
};

// Issues `spec`, signed by `issuer`, or self-signed when issuer is null. Throws
// std::runtime_error naming what OpenSSL refused (e.g. a malformed SAN).
KeyPair issue(const CertSpec& spec, const KeyPair* issuer = nullptr);

// Writes the certificate (0644) and the key (0600). Throws std::runtime_error naming the path.
void write_files(const KeyPair& pair, const std::string& cert_path, const std::string& key_path);
KeyPair read_files(const std::string& cert_path, const std::string& key_path);

// The subject CN of a PEM certificate; empty when it has none or does not parse.
std::string common_name_of(const std::string& cert_pem);

}  // namespace eo::pki
