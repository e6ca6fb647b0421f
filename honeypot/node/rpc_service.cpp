// Options to config: the listen address parsed, and exactly one way to authenticate.
#include "honeypot/node/rpc_service.h"

#include <stdexcept>

namespace eo::honeypot::node {
namespace {

RpcServerConfig server_config(const RpcServiceOptions& options) {
  RpcServerConfig config;
  parse_listen_address(options.listen, config);
  if (options.user.empty() != options.password.empty()) {
    throw std::invalid_argument("--rpc-user and --rpc-password go together");
  }
  if (options.user.empty() && options.cookie_file.empty()) {
    throw std::invalid_argument("the node's RPC needs --rpc-user/--rpc-password or --rpc-cookie");
  }
  if (!options.user.empty() && !options.cookie_file.empty()) {
    throw std::invalid_argument("--rpc-cookie and --rpc-user exclude each other");
  }
  config.user = options.user;
  config.password = options.password;
  config.cookie_file = options.cookie_file;
  return config;
}

}  // namespace

RpcService::RpcService(boost::asio::any_io_executor executor, chain::RegtestChain& chain,
                       const RpcServiceOptions& options)
    : rpc_(chain, options.identity), server_(std::move(executor), server_config(options), rpc_) {}

}  // namespace eo::honeypot::node
