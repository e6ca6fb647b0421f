// Bitcoin Core's RPC transport: HTTP/1.1 with keep-alive and basic authentication (a user and
// password, or Core's cookie file `__cookie__:<random hex>`), POST bodies answered by CoreRpc.
// Runs on the chain's io_context thread, so the chain is never touched from another thread.
#pragma once

#include "honeypot/node/core_rpc.h"
#include "honeypot/node/http_request.h"

#include <utility>  // Boost 1.74's awaitable.hpp needs std::exchange declared first.

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace eo::honeypot::node {

struct RpcServerConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port, see RpcServer::port()
  // Basic authentication: this user and password; with both empty, a fresh random cookie is
  // written to cookie_file (mode 0600, removed by the destructor) as Core does.
  std::string user;
  std::string password;
  std::string cookie_file;
  std::size_t max_connections = 64;                // beyond: accepted and closed at once
  std::chrono::milliseconds idle_timeout{60'000};  // a request must arrive within it
  HttpLimits limits;
};

struct RpcServerState;

class RpcServer {
 public:
  // `rpc` must outlive the server.
  RpcServer(boost::asio::any_io_executor executor, RpcServerConfig config, CoreRpc& rpc);
  ~RpcServer();
  RpcServer(const RpcServer&) = delete;
  RpcServer& operator=(const RpcServer&) = delete;

  // Binds, writes the cookie when configured, starts accepting. Throws std::runtime_error
  // naming the address or file that failed, std::invalid_argument for a config without
  // credentials.
  void start();
  std::uint16_t port() const;
  // Closes the listener and every connection.
  void stop();

 private:
  std::shared_ptr<RpcServerState> state_;
};

// The Authorization header value for "user:password" credentials: "Basic <base64>".
std::string basic_authorization(const std::string& credentials);

// "HOST:PORT" (IPv6 as "[addr]:port") into a config's host and port; throws
// std::invalid_argument naming the text.
void parse_listen_address(const std::string& text, RpcServerConfig& config);

}  // namespace eo::honeypot::node
