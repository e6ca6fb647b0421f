#include "common/rpc/credentials.h"

#include <grpcpp/security/auth_context.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace eo::rpc {
namespace {

std::string read_pem(const std::string& what, const std::string& path) {
  if (path.empty()) {
    throw std::invalid_argument(what + " is required for mTLS (or --insecure on loopback)");
  }
  std::ifstream in(path);
  if (!in) throw std::invalid_argument(what + ": cannot read " + path);
  std::ostringstream data;
  data << in.rdbuf();
  if (data.str().find("-----BEGIN") == std::string::npos) {
    throw std::invalid_argument(what + ": " + path + " is not PEM");
  }
  return data.str();
}

std::string host_of(const std::string& address) {
  if (address.rfind("unix:", 0) == 0) return "unix";
  if (!address.empty() && address.front() == '[') {
    auto close = address.find(']');
    return close == std::string::npos ? address : address.substr(1, close - 1);
  }
  auto colon = address.rfind(':');
  return colon == std::string::npos ? address : address.substr(0, colon);
}

}  // namespace

bool is_loopback(const std::string& address) {
  std::string host = host_of(address);
  return host == "unix" || host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

std::shared_ptr<grpc::ServerCredentials> server_credentials(const TlsFiles& tls,
                                                            const std::string& listen,
                                                            bool insecure) {
  if (insecure) {
    if (!is_loopback(listen)) {
      throw std::invalid_argument("--insecure listens on loopback only, not " + listen);
    }
    return grpc::InsecureServerCredentials();
  }
  grpc::SslServerCredentialsOptions options(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_root_certs = read_pem("--tls-ca", tls.ca);
  options.pem_key_cert_pairs.push_back(
      {read_pem("--tls-key", tls.key), read_pem("--tls-cert", tls.cert)});
  return grpc::SslServerCredentials(options);
}

std::shared_ptr<grpc::ChannelCredentials> channel_credentials(const TlsFiles& tls,
                                                              const std::string& target,
                                                              bool insecure) {
  if (insecure) {
    if (!is_loopback(target)) {
      throw std::invalid_argument("--insecure connects to loopback only, not " + target);
    }
    return grpc::InsecureChannelCredentials();
  }
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = read_pem("--tls-ca", tls.ca);
  options.pem_private_key = read_pem("--tls-key", tls.key);
  options.pem_cert_chain = read_pem("--tls-cert", tls.cert);
  return grpc::SslCredentials(options);
}

std::string peer_common_name(const grpc::ServerContext& context) {
  auto auth = context.auth_context();
  if (!auth || !auth->IsPeerAuthenticated()) return {};
  auto names = auth->FindPropertyValues(GRPC_X509_CN_PROPERTY_NAME);
  return names.empty() ? std::string() : std::string(names.front().data(), names.front().size());
}

}  // namespace eo::rpc
