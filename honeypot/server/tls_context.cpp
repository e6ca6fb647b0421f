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

// Runs early in the handshake, before the server picks anything; never rejects a client.
int on_client_hello(SSL* ssl, int* /*alert*/, void* /*arg*/) {
  auto* hello = static_cast<ClientHello*>(SSL_get_ex_data(ssl, hello_index()));
  // A HelloRetryRequest brings a second ClientHello; JA3 describes the first.
  if (hello != nullptr && !hello->captured) read_client_hello(ssl, *hello);
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
