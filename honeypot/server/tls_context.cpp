// Server-side TLS context from certificate and key files, capturing each ClientHello for JA3.
#include "honeypot/server/tls_context.h"

#include <utility>  // Boost 1.74's awaitable.hpp needs std::exchange declared first.

#include <boost/asio/ssl/context.hpp>
#include <openssl/ssl.h>

#include <stdexcept>

namespace eo::honeypot::server {
namespace {

// One ex_data slot per process for the ClientHello storage (Asio keeps SSL app data for itself).
int hello_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

void read_hello(SSL* ssl, ClientHello& hello) {
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

// Runs early in the handshake, before the server picks anything; never rejects a client.
int on_client_hello(SSL* ssl, int* /*alert*/, void* /*arg*/) {
  auto* hello = static_cast<ClientHello*>(SSL_get_ex_data(ssl, hello_index()));
  // A HelloRetryRequest brings a second ClientHello; JA3 describes the first.
  if (hello != nullptr && !hello->captured) read_hello(ssl, *hello);
  return SSL_CLIENT_HELLO_SUCCESS;
}

}  // namespace

std::shared_ptr<boost::asio::ssl::context> make_server_tls_context(const std::string& cert_file,
                                                                   const std::string& key_file) {
  namespace ssl = boost::asio::ssl;
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = context->native_handle();
  SSL_CTX_set_options(native, SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3 | SSL_OP_NO_COMPRESSION);
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);  // thousands of idle sessions
  if (SSL_CTX_use_certificate_chain_file(native, cert_file.c_str()) != 1) {
    throw std::runtime_error("tls: cannot use certificate file " + cert_file);
  }
  if (SSL_CTX_use_PrivateKey_file(native, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    throw std::runtime_error("tls: cannot use private key file " + key_file);
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    throw std::runtime_error("tls: key file " + key_file + " does not match " + cert_file);
  }
  SSL_CTX_set_client_hello_cb(native, &on_client_hello, nullptr);
  return context;
}

void attach_client_hello(ssl_st* ssl, ClientHello* hello) {
  SSL_set_ex_data(ssl, hello_index(), hello);
}

}  // namespace eo::honeypot::server
