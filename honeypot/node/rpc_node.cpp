// The node's own state: version and relay fee, indexes (a txindex and the spender index that
// ElectrumX 2.0 requires; both always synced, the chain indexes every transaction), fee
// estimates, and no ZMQ publishers (servers then poll).
#include "honeypot/node/rpc_methods.h"
#include "honeypot/node/tx_json.h"

#include <chrono>

namespace eo::honeypot::node {
namespace {

using nlohmann::json;

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

json getnetworkinfo(RpcContext& context, const Params& params) {
  params.arity(0, 0);
  const json relay = btc_amount(context.chain.config().relay_fee_sat_per_kvb);
  return json{{"version", context.identity.version},
              {"subversion", context.identity.subversion},
              {"protocolversion", 70016},
              {"localservices", "0000000000000c09"},
              {"localservicesnames", {"NETWORK", "WITNESS", "NETWORK_LIMITED", "P2P_V2"}},
              {"localrelay", true},
              {"timeoffset", 0},
              {"networkactive", true},
              {"connections", 0},
              {"connections_in", 0},
              {"connections_out", 0},
              {"networks", json::array()},
              {"relayfee", relay},
              {"incrementalfee", relay},
              {"localaddresses", json::array()},
              {"warnings", json::array()}};
}

json getindexinfo(RpcContext& context, const Params& params) {
  params.arity(0, 1);
  const json synced{{"synced", true}, {"best_block_height", context.chain.tip_height()}};
  json all{{"txindex", synced}, {"txospenderindex", synced}};
  if (!params.has(0)) return all;
  const std::string name = params.string(0);
  return all.contains(name) ? json{{name, all[name]}} : json::object();
}

json estimatesmartfee(RpcContext& context, const Params& params) {
  params.arity(1, 2);
  const std::int64_t target = params.integer(0);
  if (target < 1 || target > 1008) {
    throw RpcError{rpc_code::invalid_parameter, "Invalid conf_target, must be between 1 and 1008"};
  }
  return json{{"feerate", btc_amount(context.chain.config().fee_rate_sat_per_kvb)},
              {"blocks", std::max<std::int64_t>(target, 2)}};
}

json getzmqnotifications(RpcContext&, const Params& params) {
  params.arity(0, 0);
  return json::array();
}

json getconnectioncount(RpcContext&, const Params& params) {
  params.arity(0, 0);
  return 0;
}

json uptime(RpcContext& context, const Params& params) {
  params.arity(0, 0);
  return std::max<std::int64_t>(0, now_seconds() - context.identity.start_time);
}

}  // namespace eo::honeypot::node
