#include "agent/discovery.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <map>

namespace eo::agent {
namespace {

using json = nlohmann::json;

// A host name or IP literal, as a target id may carry it (no spaces, slashes, '@', ...).
bool valid_host(const std::string& host) {
  return !host.empty() && host.size() <= 253 &&
         std::all_of(host.begin(), host.end(), [](unsigned char c) {
           return std::isalnum(c) || c == '.' || c == '-' || c == ':' || c == '_';
         });
}

std::optional<std::uint16_t> port_of(const json& value, std::uint16_t fallback) {
  long port = fallback;
  if (value.is_number_integer()) {
    port = value.get<long>();
  } else if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    if (!text.empty()) {
      if (text.size() > 5 || !std::all_of(text.begin(), text.end(), ::isdigit)) return std::nullopt;
      port = std::stol(text);
    }
  } else if (!value.is_null()) {
    return std::nullopt;
  }
  if (port <= 0 || port > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(port);
}

struct Ports {
  std::optional<std::uint16_t> tls, tcp;
};

// server.peers.subscribe: [[ip, host, ["v1.4", "s50002", "t50001", ...]], ...]; a bare "s" or
// "t" means the default port.
void read_peers(const json& peers, std::map<std::string, Ports>& out) {
  if (!peers.is_array()) return;
  for (const auto& peer : peers) {
    if (!peer.is_array() || peer.size() < 3 || !peer[1].is_string() || !peer[2].is_array()) {
      continue;
    }
    std::string host = peer[1].get<std::string>();
    Ports ports;
    for (const auto& feature : peer[2]) {
      if (!feature.is_string()) continue;
      const auto& text = feature.get_ref<const std::string&>();
      if (text.empty()) continue;
      if (text[0] == 's') ports.tls = port_of(json(text.substr(1)), 50002);
      if (text[0] == 't') ports.tcp = port_of(json(text.substr(1)), 50001);
    }
    if (ports.tls || ports.tcp) out.emplace(host, ports);
  }
}

// server.features "hosts": {"host": {"ssl_port": 50002, "tcp_port": 50001}, ...}.
void read_hosts(const json& features, std::map<std::string, Ports>& out) {
  if (!features.is_object() || !features.contains("hosts") || !features["hosts"].is_object()) {
    return;
  }
  for (const auto& [host, entry] : features["hosts"].items()) {
    if (!entry.is_object()) continue;
    Ports ports;
    if (entry.contains("ssl_port") && !entry["ssl_port"].is_null()) {
      ports.tls = port_of(entry["ssl_port"], 0);
    }
    if (entry.contains("tcp_port") && !entry["tcp_port"].is_null()) {
      ports.tcp = port_of(entry["tcp_port"], 0);
    }
    if (ports.tls || ports.tcp) out.emplace(host, ports);
  }
}

const json* result_of(const json& result, const char* key) {
  auto it = result.find(key);
  if (it == result.end() || !it->is_object() || !it->contains("result")) return nullptr;
  return &(*it)["result"];
}

}  // namespace

std::optional<v1::DiscoveredTargets> advertised_targets(const v1::Observation& observation) {
  if (observation.result_json().empty()) return std::nullopt;
  json result = json::parse(observation.result_json(), nullptr, false);
  if (!result.is_object()) return std::nullopt;
  std::map<std::string, Ports> hosts;
  if (const json* peers = result_of(result, "peers")) read_peers(*peers, hosts);
  if (const json* features = result_of(result, "features")) read_hosts(*features, hosts);
  v1::DiscoveredTargets out;
  const std::string& source = observation.target().id();
  for (const auto& [raw_host, ports] : hosts) {
    std::string host = raw_host;
    std::transform(host.begin(), host.end(), host.begin(), ::tolower);
    if (!valid_host(host)) continue;
    bool tls = ports.tls.has_value();
    std::uint16_t port = tls ? *ports.tls : *ports.tcp;
    bool v6 = host.find(':') != std::string::npos;
    std::string id = std::string(tls ? "tls://" : "tcp://") + (v6 ? "[" + host + "]" : host) + ":" +
                     std::to_string(port);
    if (id == source) continue;
    if (static_cast<std::size_t>(out.targets_size()) == kMaxAdvertisedTargets) {
      out.set_truncated(true);
      break;
    }
    auto* target = out.add_targets();
    target->set_id(id);
    target->set_host(host);
    target->set_port(port);
    target->set_transport(tls ? v1::TRANSPORT_TLS : v1::TRANSPORT_TCP);
    target->set_onion(host.size() > 6 && host.ends_with(".onion"));
    target->set_provenance("peer:" + source);
  }
  if (out.targets().empty()) return std::nullopt;
  out.set_observation_id(observation.observation_id());
  out.set_campaign_id(observation.campaign_id());
  out.set_round(observation.round());
  out.set_source_target_id(source);
  return out;
}

}  // namespace eo::agent
