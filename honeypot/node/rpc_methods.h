// The method table behind CoreRpc and what its handlers share: Core's error type, positional
// parameter access with Core's type errors, and the chain the handlers read and move.
#pragma once

#include "honeypot/chain/regtest_chain.h"
#include "honeypot/node/core_rpc.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace eo::honeypot::node {

// Bitcoin Core's RPC error codes (src/rpc/protocol.h) that this node answers with.
namespace rpc_code {
inline constexpr int misc = -1;
inline constexpr int type_error = -3;
inline constexpr int invalid_address_or_key = -5;
inline constexpr int invalid_parameter = -8;
inline constexpr int deserialization = -22;
inline constexpr int verify_error = -25;
inline constexpr int verify_rejected = -26;
inline constexpr int verify_already_in_chain = -27;
inline constexpr int invalid_request = -32600;
inline constexpr int method_not_found = -32601;
inline constexpr int parse_error = -32700;
}  // namespace rpc_code

// Thrown by handlers; becomes the reply's error object.
struct RpcError {
  int code;
  std::string message;
};

// Positional parameters of one call.
class Params {
 public:
  Params(const nlohmann::json& array, std::string_view usage) : array_(array), usage_(usage) {}

  std::size_t size() const { return array_.size(); }
  // Present and not null.
  bool has(std::size_t i) const { return i < array_.size() && !array_[i].is_null(); }
  const nlohmann::json& at(std::size_t i) const { return array_[i]; }

  // Core's usage error (code -1, the method's signature) unless min <= size() <= max.
  void arity(std::size_t min, std::size_t max) const;
  std::int64_t integer(std::size_t i) const;
  std::string string(std::size_t i) const;
  bool boolean(std::size_t i) const;
  double amount(std::size_t i) const;
  // A 64-hex-digit hash in display order, as Core parses a block hash or txid; `name` is the
  // parameter's name in Core's message.
  bitcoin::Hash256 hash(std::size_t i, std::string_view name) const;

 private:
  const nlohmann::json& array_;
  std::string_view usage_;
};

struct RpcContext {
  chain::RegtestChain& chain;
  const NodeIdentity& identity;
};

using Handler = nlohmann::json (*)(RpcContext&, const Params&);

struct Method {
  std::string_view name;
  std::string_view usage;  // Core's first help line, the message of a usage error
  Handler handler;
};

// nullptr when the node does not have the method.
const Method* find_method(std::string_view name);

// The method groups, one file each.
nlohmann::json getblockchaininfo(RpcContext&, const Params&);
nlohmann::json getblockcount(RpcContext&, const Params&);
nlohmann::json getbestblockhash(RpcContext&, const Params&);
nlohmann::json getblockhash(RpcContext&, const Params&);
nlohmann::json getblockheader(RpcContext&, const Params&);
nlohmann::json getblock(RpcContext&, const Params&);

nlohmann::json getrawtransaction(RpcContext&, const Params&);
nlohmann::json decoderawtransaction(RpcContext&, const Params&);
nlohmann::json getrawmempool(RpcContext&, const Params&);
nlohmann::json getmempoolentry(RpcContext&, const Params&);
nlohmann::json getmempoolinfo(RpcContext&, const Params&);
nlohmann::json sendrawtransaction(RpcContext&, const Params&);
nlohmann::json testmempoolaccept(RpcContext&, const Params&);

nlohmann::json getnetworkinfo(RpcContext&, const Params&);
nlohmann::json getindexinfo(RpcContext&, const Params&);
nlohmann::json estimatesmartfee(RpcContext&, const Params&);
nlohmann::json getzmqnotifications(RpcContext&, const Params&);
nlohmann::json getconnectioncount(RpcContext&, const Params&);
nlohmann::json uptime(RpcContext&, const Params&);

nlohmann::json generatetoaddress(RpcContext&, const Params&);
nlohmann::json sendtoaddress(RpcContext&, const Params&);
nlohmann::json invalidateblock(RpcContext&, const Params&);

}  // namespace eo::honeypot::node
