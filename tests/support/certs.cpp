// Self-signed test certificates through the production issuer (common/pki).
#include "tests/support/certs.h"

#include "common/pki/pki.h"

namespace eo::test {

void write_self_signed_cert(const CertSpec& spec, const std::string& cert_path,
                            const std::string& key_path) {
  pki::CertSpec cert;
  cert.common_name = spec.common_name;
  cert.dns_names = spec.dns_names;
  cert.ip_addresses = spec.ip_addresses;
  cert.not_before_offset_s = spec.not_before_offset_s;
  cert.not_after_offset_s = spec.not_after_offset_s;
  pki::write_files(pki::issue(cert), cert_path, key_path);
}

}  // namespace eo::test
