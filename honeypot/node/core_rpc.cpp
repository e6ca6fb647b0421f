// Dispatch as Core's HTTP JSON-RPC server does it: a parse error or a non-object request is
// answered with an error reply (HTTP 500 / 400), a single request's error sets the HTTP status
// (404 for an unknown method, 500 otherwise), a batch is always HTTP 200 with one reply per
// element in order.
#include "honeypot/node/core_rpc.h"

#include "common/bitcoin/hex.h"
#include "honeypot/node/rpc_methods.h"

#include <array>

namespace eo::honeypot::node {
namespace {

using nlohmann::json;

constexpr std::array methods{
    Method{"decoderawtransaction", "decoderawtransaction \"hexstring\" ( iswitness )",
           decoderawtransaction},
    Method{"estimatesmartfee", "estimatesmartfee conf_target ( \"estimate_mode\" )",
           estimatesmartfee},
    Method{"generatetoaddress", "generatetoaddress nblocks \"address\" ( maxtries )",
           generatetoaddress},
    Method{"getbestblockhash", "getbestblockhash", getbestblockhash},
    Method{"getblock", "getblock \"blockhash\" ( verbosity )", getblock},
    Method{"getblockchaininfo", "getblockchaininfo", getblockchaininfo},
    Method{"getblockcount", "getblockcount", getblockcount},
    Method{"getblockhash", "getblockhash height", getblockhash},
    Method{"getblockheader", "getblockheader \"blockhash\" ( verbose )", getblockheader},
    Method{"getconnectioncount", "getconnectioncount", getconnectioncount},
    Method{"getindexinfo", "getindexinfo ( \"index_name\" )", getindexinfo},
    Method{"getmempoolentry", "getmempoolentry \"txid\"", getmempoolentry},
    Method{"getmempoolinfo", "getmempoolinfo", getmempoolinfo},
    Method{"getnetworkinfo", "getnetworkinfo", getnetworkinfo},
    Method{"getrawmempool", "getrawmempool ( verbose mempool_sequence )", getrawmempool},
    Method{"getrawtransaction", "getrawtransaction \"txid\" ( verbosity \"blockhash\" )",
           getrawtransaction},
    Method{"getzmqnotifications", "getzmqnotifications", getzmqnotifications},
    Method{"invalidateblock", "invalidateblock \"blockhash\"", invalidateblock},
    Method{"sendrawtransaction", "sendrawtransaction \"hexstring\" ( maxfeerate maxburnamount )",
           sendrawtransaction},
    Method{"sendtoaddress", "sendtoaddress \"address\" amount", sendtoaddress},
    Method{"testmempoolaccept", "testmempoolaccept [\"rawtx\",...] ( maxfeerate )",
           testmempoolaccept},
    Method{"uptime", "uptime", uptime},
};

std::string type_name(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "bool";
    case json::value_t::string:
      return "string";
    case json::value_t::array:
      return "array";
    case json::value_t::object:
      return "object";
    default:
      return "number";
  }
}

[[noreturn]] void type_error(const json& value, std::string_view expected) {
  throw RpcError{rpc_code::type_error, "JSON value of type " + type_name(value) +
                                           " is not of expected type " + std::string(expected)};
}

struct Outcome {
  json reply;
  int error_code = 0;  // 0: success
  bool v2 = false;     // a JSON-RPC 2.0 request: HTTP 200 whatever the error
};

json error_object(int code, const std::string& message) {
  return json{{"code", code}, {"message", message}};
}

Outcome reply_to(const json& id, bool v2, const json* result, int code,
                 const std::string& message) {
  Outcome out;
  out.error_code = result ? 0 : code;
  out.v2 = v2;
  if (v2) {
    out.reply = json{{"jsonrpc", "2.0"}};
    if (result) {
      out.reply["result"] = *result;
    } else {
      out.reply["error"] = error_object(code, message);
    }
  } else {
    out.reply = json{{"result", result ? *result : json(nullptr)},
                     {"error", result ? json(nullptr) : error_object(code, message)}};
  }
  out.reply["id"] = id;
  return out;
}

Outcome execute(RpcContext& context, const json& request) {
  if (!request.is_object()) {
    return reply_to(nullptr, false, nullptr, rpc_code::invalid_request, "Invalid Request object");
  }
  const json id = request.contains("id") ? request["id"] : json(nullptr);
  const bool v2 = request.contains("jsonrpc") && request["jsonrpc"] == "2.0";
  const auto method_it = request.find("method");
  if (method_it == request.end()) {
    return reply_to(id, v2, nullptr, rpc_code::invalid_request, "Missing method");
  }
  if (!method_it->is_string()) {
    return reply_to(id, v2, nullptr, rpc_code::invalid_request, "Method must be a string");
  }
  const json empty = json::array();
  const auto params_it = request.find("params");
  const json& params = params_it == request.end() || params_it->is_null() ? empty : *params_it;
  if (!params.is_array()) {
    // Core also takes named parameters; no client of this node sends them.
    return reply_to(id, v2, nullptr, rpc_code::invalid_request,
                    params.is_object() ? "Named parameters are not supported by this node"
                                       : "Params must be an array or object");
  }
  const Method* method = find_method(method_it->get_ref<const std::string&>());
  if (!method) return reply_to(id, v2, nullptr, rpc_code::method_not_found, "Method not found");
  try {
    const json result = method->handler(context, Params(params, method->usage));
    return reply_to(id, v2, &result, 0, {});
  } catch (const RpcError& e) {
    return reply_to(id, v2, nullptr, e.code, e.message);
  }
}

int http_status_of(int error_code) {
  switch (error_code) {
    case 0:
      return 200;
    case rpc_code::invalid_request:
      return 400;
    case rpc_code::method_not_found:
      return 404;
    default:
      return 500;
  }
}

std::string dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace

void Params::arity(std::size_t min, std::size_t max) const {
  if (array_.size() < min || array_.size() > max) {
    throw RpcError{rpc_code::misc, std::string(usage_) + "\n"};
  }
}

std::int64_t Params::integer(std::size_t i) const {
  const json& value = array_.at(i);
  if (value.is_number_integer()) return value.get<std::int64_t>();
  if (value.is_number_unsigned()) {
    throw RpcError{rpc_code::type_error, "JSON integer out of range"};
  }
  type_error(value, "number");
}

std::string Params::string(std::size_t i) const {
  const json& value = array_.at(i);
  if (!value.is_string()) type_error(value, "string");
  return value.get<std::string>();
}

bool Params::boolean(std::size_t i) const {
  const json& value = array_.at(i);
  if (!value.is_boolean()) type_error(value, "bool");
  return value.get<bool>();
}

double Params::amount(std::size_t i) const {
  const json& value = array_.at(i);
  if (!value.is_number() && !value.is_string()) type_error(value, "number");
  double btc = 0;
  if (value.is_number()) {
    btc = value.get<double>();
  } else {
    try {
      btc = std::stod(value.get<std::string>());
    } catch (const std::exception&) {
      throw RpcError{rpc_code::type_error, "Invalid amount"};
    }
  }
  if (!(btc >= 0) || btc > 21e6) throw RpcError{rpc_code::type_error, "Amount out of range"};
  return btc;
}

bitcoin::Hash256 Params::hash(std::size_t i, std::string_view name) const {
  const std::string text = string(i);
  if (text.size() != 64) {
    throw RpcError{rpc_code::invalid_parameter, std::string(name) + " must be of length 64 (not " +
                                                    std::to_string(text.size()) + ", for '" + text +
                                                    "')"};
  }
  const auto hash = bitcoin::hash256_from_display_hex(text);
  if (!hash) {
    throw RpcError{rpc_code::invalid_parameter,
                   std::string(name) + " must be hexadecimal string (not '" + text + "')"};
  }
  return *hash;
}

const Method* find_method(std::string_view name) {
  for (const Method& method : methods) {
    if (method.name == name) return &method;
  }
  return nullptr;
}

CoreRpc::CoreRpc(chain::RegtestChain& chain, NodeIdentity identity)
    : chain_(chain), identity_(std::move(identity)) {}

RpcReply CoreRpc::handle(std::string_view body) {
  const json request = json::parse(body, nullptr, false);
  if (request.is_discarded()) {
    return RpcReply{
        500, dump(reply_to(nullptr, false, nullptr, rpc_code::parse_error, "Parse error").reply)};
  }
  RpcContext context{chain_, identity_};
  if (request.is_array()) {
    json replies = json::array();
    for (const json& element : request) replies.push_back(execute(context, element).reply);
    return RpcReply{200, dump(replies)};
  }
  if (!request.is_object()) {
    return RpcReply{400, dump(reply_to(nullptr, false, nullptr, rpc_code::parse_error,
                                       "Top-level object parse error")
                                  .reply)};
  }
  const Outcome outcome = execute(context, request);
  return RpcReply{outcome.v2 ? 200 : http_status_of(outcome.error_code), dump(outcome.reply)};
}

}  // namespace eo::honeypot::node
