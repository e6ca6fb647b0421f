// Bitcoin Core's JSON-RPC interface over the honeypot's regtest chain, so that real Electrum
// servers (ElectrumX and others that follow bitcoind) can index and serve it. Requests and
// replies have Core's shapes: JSON-RPC 1.0 style replies with "result", "error" and "id" (2.0
// replies when the request says "jsonrpc": "2.0"), Core's error codes and messages, and Core's
// HTTP statuses for single requests. The methods are listed in honeypot/node/README.md.
#pragma once

#include "honeypot/chain/regtest_chain.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace eo::honeypot::node {

// What the node says about itself.
struct NodeIdentity {
  // getnetworkinfo's version and subversion. ElectrumX 2.0 refuses a Core older than 31.0.
  std::int64_t version = 310000;
  std::string subversion = "/Satoshi:31.0.0/";
  std::int64_t start_time = 0;  // Unix seconds, for uptime
};

struct RpcReply {
  int http_status = 200;
  std::string body;  // JSON, newline-terminated as Core sends it
};

// Thread-compatible, like the chain: call from the chain's one thread.
class CoreRpc {
 public:
  CoreRpc(chain::RegtestChain& chain, NodeIdentity identity);

  // One HTTP request body: a request object or a batch (array) of them.
  RpcReply handle(std::string_view body);

 private:
  chain::RegtestChain& chain_;
  NodeIdentity identity_;
};

}  // namespace eo::honeypot::node
