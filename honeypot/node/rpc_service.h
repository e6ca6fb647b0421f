// The node's RPC as one piece to run beside a chain: CoreRpc behind an RpcServer, configured
// from command-line style options. Used by `observatory chain` and by the honeypot when it also
// exposes its chain to real Electrum servers.
#pragma once

#include "honeypot/chain/regtest_chain.h"
#include "honeypot/node/core_rpc.h"
#include "honeypot/node/rpc_server.h"

#include <cstdint>
#include <string>

namespace eo::honeypot::node {

struct RpcServiceOptions {
  std::string listen;  // HOST:PORT; `observatory chain` defaults to 18443
  std::string user;    // with password: basic authentication
  std::string password;
  std::string cookie_file;  // without user: Core's cookie, written here
  NodeIdentity identity;
};

class RpcService {
 public:
  // Throws std::invalid_argument naming a bad option; start() throws if it cannot listen.
  RpcService(boost::asio::any_io_executor executor, chain::RegtestChain& chain,
             const RpcServiceOptions& options);
  void start() { server_.start(); }
  std::uint16_t port() const { return server_.port(); }
  void stop() { server_.stop(); }

 private:
  CoreRpc rpc_;
  RpcServer server_;
};

}  // namespace eo::honeypot::node
