// server.* methods: version negotiation (with claim and client-name rules), features, banner,
// donation address, peers and ping.
#include "honeypot/server/methods.h"
#include "honeypot/server/params.h"

#include <algorithm>

namespace eo::honeypot::server {
namespace {

using Json = nlohmann::json;
using Pairs = std::vector<std::pair<std::string_view, std::string>>;

std::string cut_utf8(std::string text, std::size_t limit) {
  if (text.size() <= limit) return text;
  while (limit > 0 && (static_cast<unsigned char>(text[limit]) & 0xc0) == 0x80) --limit;
  text.resize(limit);
  return text;
}

// ElectrumX's protocol_tuple(): "1.4.2" -> (1, 4, 2); anything unreadable -> (0,).
ProtocolVersion tuple_of(const std::string& text) {
  return parse_protocol_version(text).value_or(ProtocolVersion{0});
}

std::string version_text(ProtocolVersion v, Base base) {
  if (base == Base::fulcrum) {
    while (v.size() > 2 && v.back() == 0) v.pop_back();  // Fulcrum's Version drops ".0"
  }
  while (v.size() < 2) v.push_back(0);
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out.push_back('.');
    out.append(std::to_string(v[i]));
  }
  return out;
}

// The client's requested range as text, for the VERSION event.
std::pair<std::string, std::string> requested_range(const Json& arg) {
  if (arg.is_null()) return {};
  if (arg.is_array() && arg.size() == 2) return {value_text(arg[0]), value_text(arg[1])};
  const std::string v = value_text(arg);
  return {v, v};
}

Answer refused(const Rule& rule) {
  Answer a;
  a.silent = true;
  a.close = true;
  a.action = rule.label();
  return a;
}

std::string features_service_list(const Json& hosts, Layout layout) {
  std::vector<std::string> services;
  if (hosts.is_object()) {
    for (auto host = hosts.begin(); host != hosts.end(); ++host) {
      if (!host->is_object()) continue;
      for (auto port = host->begin(); port != host->end(); ++port) {
        const std::string& key = port.key();
        if (key.size() < 6 || key.substr(key.size() - 5) != "_port") continue;
        services.push_back(json_string(
            key.substr(0, key.size() - 5) + "://" + host.key() + ":" + port->dump(), layout));
      }
    }
  }
  return array_text(services, layout);
}

std::string feature_value(MethodContext& ctx, const std::string& key) {
  const Profile& p = ctx.profile;
  const Layout layout = ctx.layout();
  if (auto it = p.features_extra.find(key); it != p.features_extra.end()) {
    return json_value(*it, layout);
  }
  if (key == "hosts") return json_value(p.hosts, layout);
  if (key == "pruning") return "null";
  if (key == "server_version") return json_string(claimed_server_version(ctx), layout);
  if (key == "protocol_min") return json_string(p.protocol_min, layout);
  if (key == "protocol_max") return json_string(p.protocol_max, layout);
  if (key == "genesis_hash") {
    return json_string(p.genesis_hash.empty() ? ctx.backend.genesis_hash() : p.genesis_hash,
                       layout);
  }
  if (key == "hash_function") return "\"sha256\"";
  if (key == "services") return features_service_list(p.hosts, layout);
  if (key == "dsproof") return "false";
  if (key == "broadcast_package") return "true";
  return "null";
}

}  // namespace

std::optional<ProtocolVersion> parse_protocol_version(std::string_view text) {
  ProtocolVersion v;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t dot = std::min(text.find('.', pos), text.size());
    const std::string_view part = text.substr(pos, dot - pos);
    if (part.empty() || part.size() > 6 ||
        !std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return std::nullopt;
    }
    v.push_back(std::stoi(std::string(part)));
    pos = dot + 1;
  }
  return v;
}

std::string claimed_server_version(const MethodContext& ctx) {
  if (const Rule* claim = ctx.session.policy.get(ActionKind::claim)) {
    return claim->action.server_version.empty() ? default_server_version(claim->action.claim_base)
                                                : claim->action.server_version;
  }
  return ctx.profile.server_version;
}

Answer server_version(MethodContext& ctx, const Json& args) {
  SessionState& s = ctx.session;
  const Profile& p = ctx.profile;
  if (args.size() < p.version_min_args) {
    const Pairs vars{{"method", "server.version"},
                     {"got", std::to_string(args.size())},
                     {"need", std::to_string(p.version_min_args)},
                     {"s_got", "s"},
                     {"s_need", "s"}};
    return error_answer(p.errors.too_few_args, vars);
  }
  if (p.limits.version_once && s.version_seen) {
    const Pairs vars{{"method", "server.version"}};
    return error_answer(p.errors.version_again, vars);
  }
  const Json client = args.size() > 0 ? args[0] : Json("");
  const Json requested = args.size() > 1 ? args[1] : Json();
  if (p.version_list_closes && requested.is_array()) {
    Answer crash;  // EPS unpacks a float into two names and dies
    crash.silent = crash.close = true;
    crash.action = "crash";
    return crash;
  }
  auto [client_min_text, client_max_text] = requested_range(requested);
  const ProtocolVersion server_min = tuple_of(p.protocol_min);
  const ProtocolVersion server_max = tuple_of(p.protocol_max);
  ProtocolVersion client_min = requested.is_null() ? server_min : tuple_of(client_min_text);
  ProtocolVersion client_max = requested.is_null() ? server_min : tuple_of(client_max_text);
  std::string negotiated = p.protocol_max;
  ProtocolVersion chosen = server_max;
  if (p.negotiate) {
    chosen = std::min(client_max, server_max);
    if (chosen < std::max(client_min, server_min) || chosen == ProtocolVersion{0}) {
      // ElectrumX formats the request with Python's repr (seen on real e-x 1.16-2.0).
      const Pairs vars{{"value", p.base == Base::electrumx ? python_value_text(requested)
                                                           : value_text(requested)}};
      return error_answer(p.errors.unsupported_protocol, vars);
    }
    negotiated = version_text(chosen, p.base);
  }

  s.version_seen = true;
  s.client_name =
      cut_utf8(client.is_string() ? client.get<std::string>() : value_text(client), 256);
  s.protocol = chosen;
  // Rules on the client name can be decided now.
  s.policy = resolve_policy(p.rules, PeerFacts{s.peer.ip, s.tor_exit, &s.client_name});
  const Rule* refuse = s.policy.get(ActionKind::refuse);
  const Rule* claim = s.policy.get(ActionKind::claim);
  const std::string action = refuse ? refuse->label() : claim ? claim->label() : "answer";
  s.recorder.version(s.client_name, client_min_text, client_max_text, action);
  if (refuse != nullptr) return refused(*refuse);

  const Layout layout = ctx.layout();
  const std::string items[] = {json_string(claimed_server_version(ctx), layout),
                               json_string(negotiated, layout)};
  Answer a = result_answer(array_text(items, layout), 0);
  if (claim != nullptr) a.action = claim->label();
  return a;
}

Answer server_features(MethodContext& ctx, const Json&) {
  const Profile& p = ctx.profile;
  ObjectText features(ctx.layout());
  for (const std::string& key : p.feature_keys) features.add(key, feature_value(ctx, key));
  for (auto it = p.features_extra.begin(); it != p.features_extra.end(); ++it) {
    if (std::find(p.feature_keys.begin(), p.feature_keys.end(), it.key()) == p.feature_keys.end()) {
      features.add(it.key(), json_value(*it, ctx.layout()));
    }
  }
  Answer a = result_answer(features.str(), 0);
  if (const Rule* claim = ctx.session.policy.get(ActionKind::claim)) a.action = claim->label();
  return a;
}

Answer server_banner(MethodContext& ctx, const Json&) {
  const Policy& policy = ctx.session.policy;
  if (const Rule* banner = policy.get(ActionKind::banner)) {
    Answer a = result_answer(json_string(banner->action.text, ctx.layout()), 0);
    a.action = banner->label();
    return a;
  }
  if (const Rule* claim = policy.get(ActionKind::claim)) {
    const std::string& text = claim->action.text;
    Answer a = result_answer(
        json_string(text.empty() ? default_banner(claim->action.claim_base) : text, ctx.layout()),
        0);
    a.action = claim->label();
    return a;
  }
  return result_answer(json_string(ctx.profile.banner, ctx.layout()), 0);
}

Answer server_donation_address(MethodContext& ctx, const Json&) {
  const auto& address = ctx.profile.donation_address;
  return result_answer(address ? json_string(*address, ctx.layout()) : "null", 0);
}

Answer server_peers_subscribe(MethodContext& ctx, const Json&) {
  if (const Rule* peers = ctx.session.policy.get(ActionKind::peers)) {
    Answer a = result_answer(json_value(peers->action.peers, ctx.layout()), 0);
    a.action = peers->label();
    return a;
  }
  return result_answer(json_value(ctx.profile.peers, ctx.layout()), 0);
}

Answer server_ping(MethodContext&, const Json&) { return result_answer("null", 0); }

}  // namespace eo::honeypot::server
