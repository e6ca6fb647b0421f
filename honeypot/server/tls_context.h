// Server-side TLS for the honeypot: a context from certificate and key files (several honeypots
// may be given the same files: a shared certificate is configuration), which captures every
// ClientHello for a JA3 fingerprint.
#pragma once

#include "honeypot/server/ja3.h"

#include <memory>
#include <string>

struct ssl_st;

namespace boost::asio::ssl {
class context;
}

namespace eo::honeypot::server {

// Loads a PEM certificate chain and private key. Throws std::runtime_error naming the file that
// could not be used (a start-up misconfiguration).
std::shared_ptr<boost::asio::ssl::context> make_server_tls_context(const std::string& cert_file,
                                                                   const std::string& key_file);

// Points a new connection at the storage its ClientHello is copied into during the handshake.
// `hello` must outlive the handshake; the first ClientHello of the connection is kept.
void attach_client_hello(ssl_st* ssl, ClientHello* hello);

}  // namespace eo::honeypot::server
