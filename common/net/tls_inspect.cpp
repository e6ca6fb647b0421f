// Certificate description and after-the-fact verification with OpenSSL 3.
#include "common/net/tls_inspect.h"

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>

#include <cstdlib>
#include <ctime>
#include <memory>

namespace eo::net {

namespace {

std::string hex(const unsigned char* data, std::size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(size * 2, '0');
  for (std::size_t i = 0; i < size; ++i) {
    out[2 * i] = digits[data[i] >> 4];
    out[2 * i + 1] = digits[data[i] & 0xf];
  }
  return out;
}

std::string sha256_hex(const unsigned char* data, std::size_t size) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data, size, digest, &length, EVP_sha256(), nullptr);
  return hex(digest, length);
}

std::string name_string(const X509_NAME* name) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string{};
}

std::int64_t unix_time(const ASN1_TIME* time) {
  std::tm tm{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) return 0;
  return static_cast<std::int64_t>(timegm(&tm));
}

void read_sans(X509* cert, CertificateInfo& info) {
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type == GEN_DNS) {
      const ASN1_IA5STRING* dns = name->d.dNSName;
      info.san_dns.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                                static_cast<std::size_t>(ASN1_STRING_length(dns)));
    } else if (name->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* ip = name->d.iPAddress;
      const unsigned char* bytes = ASN1_STRING_get0_data(ip);
      boost::system::error_code ec;
      if (ASN1_STRING_length(ip) == 4) {
        boost::asio::ip::address_v4::bytes_type v4;
        std::copy(bytes, bytes + 4, v4.begin());
        info.san_ip.push_back(boost::asio::ip::address_v4(v4).to_string());
      } else if (ASN1_STRING_length(ip) == 16) {
        boost::asio::ip::address_v6::bytes_type v6;
        std::copy(bytes, bytes + 16, v6.begin());
        info.san_ip.push_back(boost::asio::ip::address_v6(v6).to_string());
      }
    }
  }
  GENERAL_NAMES_free(names);
}

// The system trust store, loaded once from the CA bundle file. Not the hashed directory
// (X509_STORE_set_default_paths): with it, OpenSSL 3 searches the directory again for every
// self-signed chain, which most Electrum servers present.
X509_STORE* system_store() {
  static X509_STORE* store = [] {
    X509_STORE* s = X509_STORE_new();
    const char* env = std::getenv(X509_get_default_cert_file_env());
    X509_STORE_load_file(s, env != nullptr ? env : X509_get_default_cert_file());
    return s;
  }();
  return store;
}

bool is_ip_literal(std::string_view host) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(std::string(host), ec);
  return !ec;
}

}  // namespace

CertificateInfo describe_certificate(X509* cert) {
  CertificateInfo info;
  unsigned char* der = nullptr;
  int der_size = i2d_X509(cert, &der);
  if (der_size > 0) {
    info.der.assign(reinterpret_cast<const char*>(der), static_cast<std::size_t>(der_size));
    info.sha256_fingerprint = sha256_hex(der, static_cast<std::size_t>(der_size));
    OPENSSL_free(der);
  }
  info.subject = name_string(X509_get_subject_name(cert));
  info.issuer = name_string(X509_get_issuer_name(cert));
  info.not_before_unix = unix_time(X509_get0_notBefore(cert));
  info.not_after_unix = unix_time(X509_get0_notAfter(cert));
  read_sans(cert, info);

  unsigned char* spki = nullptr;
  int spki_size = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &spki);
  if (spki_size > 0) {
    info.spki_sha256 = sha256_hex(spki, static_cast<std::size_t>(spki_size));
    OPENSSL_free(spki);
  }
  if (EVP_PKEY* key = X509_get0_pubkey(cert)) {
    if (const char* type = EVP_PKEY_get0_type_name(key)) info.key_type = type;
    info.key_bits = static_cast<std::uint32_t>(EVP_PKEY_get_bits(key));
  }
  if (const ASN1_INTEGER* serial = X509_get0_serialNumber(cert)) {
    info.serial_hex =
        hex(ASN1_STRING_get0_data(serial), static_cast<std::size_t>(ASN1_STRING_length(serial)));
  }
  return info;
}

TlsReport inspect_tls(SSL* ssl, std::string_view expected_host) {
  TlsReport report;
  report.version = SSL_get_version(ssl);
  if (const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl)) {
    report.cipher = SSL_CIPHER_get_name(cipher);
  }
  const unsigned char* alpn = nullptr;
  unsigned int alpn_size = 0;
  SSL_get0_alpn_selected(ssl, &alpn, &alpn_size);
  if (alpn_size > 0) report.alpn.assign(reinterpret_cast<const char*>(alpn), alpn_size);

  STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl);
  if (chain == nullptr || sk_X509_num(chain) == 0) {
    report.verify_error = "no peer certificate";
    return report;
  }
  for (int i = 0; i < sk_X509_num(chain); ++i) {
    report.chain.push_back(describe_certificate(sk_X509_value(chain, i)));
  }
  X509* leaf = sk_X509_value(chain, 0);
  report.self_signed = X509_self_signed(leaf, 1) == 1;
  report.expired = X509_cmp_current_time(X509_get0_notAfter(leaf)) < 0;
  std::string host(expected_host);
  report.hostname_mismatch = is_ip_literal(host)
                                 ? X509_check_ip_asc(leaf, host.c_str(), 0) != 1
                                 : X509_check_host(leaf, host.data(), host.size(), 0, nullptr) != 1;

  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(),
                                                                      X509_STORE_CTX_free);
  X509_STORE_CTX_init(ctx.get(), system_store(), leaf, chain);
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  if (is_ip_literal(host)) {
    X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
  } else {
    X509_VERIFY_PARAM_set1_host(param, host.data(), host.size());
  }
  report.verified = X509_verify_cert(ctx.get()) == 1;
  if (!report.verified) {
    report.verify_error = X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));
  }
  return report;
}

}  // namespace eo::net
