// The table of implemented methods (argument counts, ElectrumX costs, handlers) and the helpers
// that turn profile error texts into answers.
#include "honeypot/server/methods.h"

#include <algorithm>
#include <limits>
#include <unordered_map>

namespace eo::honeypot::server {
namespace {

constexpr std::size_t kAny = std::numeric_limits<std::size_t>::max();

// Costs follow ElectrumX's bump_cost() calls; argument counts follow its handler signatures.
constexpr MethodSpec kMethods[] = {
    {"server.version", 0, kAny, 0.5, &server_version, {"client_name", "protocol_version"}},
    {"server.features", 0, 0, 0.2, &server_features, {}},
    {"server.banner", 0, 0, 0.5, &server_banner, {}},
    {"server.donation_address", 0, 0, 0.1, &server_donation_address, {}},
    {"server.peers.subscribe", 0, 0, 1.0, &server_peers_subscribe, {}},
    {"server.ping", 0, 2, 0.1, &server_ping, {"pong_len", "data"}},
    {"blockchain.headers.subscribe", 0, 0, 0.25, &headers_subscribe, {}},
    {"blockchain.block.header", 1, 2, 0.25, &block_header, {"height", "cp_height"}},
    {"blockchain.block.headers", 2, 3, 0, &block_headers, {"start_height", "count", "cp_height"}},
    {"blockchain.estimatefee", 1, 2, 0.1, &estimate_fee, {"number", "mode"}},
    {"blockchain.relayfee", 0, 0, 1.0, &relay_fee, {}},
    {"mempool.get_fee_histogram", 0, 0, 1.0, &fee_histogram, {}},
    {"blockchain.transaction.get", 1, 2, 1.0, &transaction_get, {"tx_hash", "verbose"}},
    {"blockchain.transaction.get_merkle",
     2,
     2,
     1.0,
     &transaction_get_merkle,
     {"tx_hash", "height"}},
    {"blockchain.transaction.broadcast", 1, 1, 0.25, &transaction_broadcast, {"raw_tx"}},
    {"blockchain.scripthash.subscribe", 1, 1, 0.2, &scripthash_subscribe, {"scripthash"}},
    {"blockchain.scripthash.unsubscribe", 1, 1, 0.1, &scripthash_unsubscribe, {"scripthash"}},
    {"blockchain.scripthash.get_history", 1, 1, 0.2, &scripthash_get_history, {"scripthash"}},
    {"blockchain.scripthash.get_mempool", 1, 1, 0.25, &scripthash_get_mempool, {"scripthash"}},
    {"blockchain.scripthash.listunspent", 1, 1, 1.0, &scripthash_listunspent, {"scripthash"}},
    {"blockchain.scripthash.get_balance", 1, 1, 1.0, &scripthash_get_balance, {"scripthash"}},
};

}  // namespace

const MethodSpec* find_method(std::string_view name) {
  static const auto* index = [] {
    auto* map = new std::unordered_map<std::string_view, const MethodSpec*>();
    for (const auto& m : kMethods) map->emplace(m.name, &m);
    return map;
  }();
  const auto it = index->find(name);
  return it == index->end() ? nullptr : it->second;
}

std::string format_message(std::string_view text, Vars vars) {
  if (vars.empty() || text.find('{') == std::string_view::npos) return std::string(text);
  std::string out;
  out.reserve(text.size() + 32);
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t open = text.find('{', pos);
    if (open == std::string_view::npos) break;
    const std::size_t close = text.find('}', open);
    if (close == std::string_view::npos) break;
    const std::string_view name = text.substr(open + 1, close - open - 1);
    const auto it =
        std::find_if(vars.begin(), vars.end(), [&](const auto& v) { return v.first == name; });
    out.append(text.substr(pos, open - pos));
    if (it != vars.end()) {
      out.append(it->second);
    } else {
      out.append(text.substr(open, close - open + 1));
    }
    pos = close + 1;
  }
  out.append(text.substr(pos));
  return out;
}

Answer error_answer(const ErrorSpec& spec, Vars vars) {
  Answer a;
  a.error = &spec;
  a.message = format_message(spec.message, vars);
  return a;
}

Answer result_answer(std::string json, double cost) {
  Answer a;
  a.result = std::move(json);
  a.cost = cost;
  return a;
}

}  // namespace eo::honeypot::server
