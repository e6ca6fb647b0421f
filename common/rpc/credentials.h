// gRPC channel and server credentials. mTLS is the default: every party holds a certificate from
// the operator's CA, and the coordinator takes an agent's identity from its certificate's CN.
// Plaintext is allowed only to and on loopback addresses (one machine, `observatory local`).
#pragma once

#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_context.h>

#include <memory>
#include <string>

namespace eo::rpc {

struct TlsFiles {
  std::string ca;    // PEM bundle of the CA that signs every party
  std::string cert;  // this party's certificate
  std::string key;   // and its key

  bool empty() const { return ca.empty() && cert.empty() && key.empty(); }
};

// Throws std::invalid_argument naming the missing or unreadable file, or when plaintext is asked
// for a non-loopback address.
std::shared_ptr<grpc::ServerCredentials> server_credentials(const TlsFiles& tls,
                                                            const std::string& listen,
                                                            bool insecure);
std::shared_ptr<grpc::ChannelCredentials> channel_credentials(const TlsFiles& tls,
                                                              const std::string& target,
                                                              bool insecure);

// True for localhost, 127.0.0.0/8, [::1] and unix: targets, with or without a port.
bool is_loopback(const std::string& address);

// The CN of the verified client certificate, or empty on a plaintext channel.
std::string peer_common_name(const grpc::ServerContext& context);

}  // namespace eo::rpc
