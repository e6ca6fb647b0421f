// Self-signed certificate generation with the OpenSSL 3 API (EC P-256 keys).
#include "tests/support/certs.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

namespace eo::test {

void write_self_signed_cert(const CertSpec& spec, const std::string& cert_path,
                            const std::string& key_path) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  if (!key) throw std::runtime_error("EVP_EC_gen failed");
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 4242);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), spec.not_before_offset_s);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), spec.not_after_offset_s);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("Observatory Test"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1,
                             -1, 0);
  X509_set_issuer_name(cert.get(), name);
  std::string san;
  for (const auto& dns : spec.dns_names) san += (san.empty() ? "" : ",") + ("DNS:" + dns);
  for (const auto& ip : spec.ip_addresses) san += (san.empty() ? "" : ",") + ("IP:" + ip);
  if (!san.empty()) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, san.c_str());
    if (ext == nullptr) throw std::runtime_error("bad SAN " + san);
    X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
    throw std::runtime_error("X509_sign failed");
  }
  std::unique_ptr<FILE, decltype(&fclose)> cert_file(fopen(cert_path.c_str(), "w"), fclose);
  std::unique_ptr<FILE, decltype(&fclose)> key_file(fopen(key_path.c_str(), "w"), fclose);
  if (!cert_file || !key_file) throw std::runtime_error("cannot write " + cert_path);
  PEM_write_X509(cert_file.get(), cert.get());
  PEM_write_PrivateKey(key_file.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
}

}  // namespace eo::test
