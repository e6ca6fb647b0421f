// Writes self-signed test certificates with chosen names and validity (valid, expired, wrong
// host), so TLS tests need no fixtures that silently expire.
#pragma once

#include <string>
#include <vector>

namespace eo::test {

struct CertSpec {
  std::string common_name = "localhost";
  std::vector<std::string> dns_names = {"localhost"};
  std::vector<std::string> ip_addresses = {"127.0.0.1"};
  long not_before_offset_s = -3600;       // relative to now
  long not_after_offset_s = 365 * 86400;  // negative: already expired
};

// Writes PEM files; throws std::runtime_error on an OpenSSL failure.
void write_self_signed_cert(const CertSpec& spec, const std::string& cert_path,
                            const std::string& key_path);

}  // namespace eo::test
