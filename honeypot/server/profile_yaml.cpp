// Loads a behaviour profile from YAML: `base` picks the built-in defaults, other keys override.
#include "honeypot/server/profile.h"
#include "honeypot/server/yaml_reader.h"

#include <cctype>
#include <fstream>
#include <sstream>

namespace eo::honeypot::server {
namespace {

using yaml::At;

ErrorSpec read_error(const At& at, ErrorSpec spec) {
  at.only({"code", "message", "action"});
  if (at.has("code")) {
    const At code = at.child("code");
    if (code.node.IsNull()) {
      spec.code.reset();
    } else {
      spec.code = code.integer();
    }
  }
  yaml::read(at, "message", spec.message);
  if (at.has("action")) {
    auto action = parse_error_action(at.child("action").str());
    if (!action) at.child("action").fail("expected reply, reply_and_close, close or ignore");
    spec.action = *action;
  }
  return spec;
}

void read_errors(const At& at, ErrorTable& table) {
  if (!at.node.IsMap()) at.fail("expected a map of error names");
  const YAML::Node& n = at.node;
  for (const auto& entry : n) {
    const std::string key = entry.first.Scalar();
    bool known = false;
    for (const auto& [name, member] : error_table_fields()) {
      if (name != key) continue;
      table.*member = read_error(at.child(key), table.*member);
      known = true;
    }
    if (!known) at.fail("unknown error name \"" + key + "\"");
  }
}

void read_cost(const At& at, CostLimits& cost) {
  at.only({"enabled", "soft_limit", "hard_limit", "sleep_ms", "decay_per_s", "connection_cost",
           "error_cost", "parse_error_cost", "bytes_per_unit", "group_weight"});
  yaml::read(at, "enabled", cost.enabled);
  yaml::read(at, "soft_limit", cost.soft_limit);
  yaml::read(at, "hard_limit", cost.hard_limit);
  yaml::read(at, "sleep_ms", cost.sleep_ms);
  yaml::read(at, "decay_per_s", cost.decay_per_s);
  yaml::read(at, "connection_cost", cost.connection_cost);
  yaml::read(at, "error_cost", cost.error_cost);
  yaml::read(at, "parse_error_cost", cost.parse_error_cost);
  yaml::read(at, "bytes_per_unit", cost.bytes_per_unit);
  yaml::read(at, "group_weight", cost.group_weight);
  if (cost.hard_limit <= cost.soft_limit) at.fail("hard_limit must exceed soft_limit");
  if (cost.bytes_per_unit <= 0) at.fail("bytes_per_unit must be positive");
}

void read_limits(const At& at, SessionLimits& limits) {
  at.only({"max_line_bytes", "batches", "max_batch", "version_first", "version_once",
           "crash_notifications", "idle_timeout_ms", "send_queue_bytes", "max_subscriptions",
           "per_ip_connections", "per_ip_exempt", "max_excess_errors", "max_headers", "pad_sends",
           "cost"});
  yaml::read(at, "max_line_bytes", limits.max_line_bytes);
  yaml::read(at, "batches", limits.batches);
  yaml::read(at, "max_batch", limits.max_batch);
  yaml::read(at, "version_first", limits.version_first);
  yaml::read(at, "version_once", limits.version_once);
  yaml::read(at, "crash_notifications", limits.crash_notifications);
  if (at.has("idle_timeout_ms")) {
    limits.idle_timeout = std::chrono::milliseconds(at.child("idle_timeout_ms").unsigned_integer());
  }
  yaml::read(at, "send_queue_bytes", limits.send_queue_bytes);
  yaml::read(at, "max_subscriptions", limits.max_subscriptions);
  yaml::read(at, "per_ip_connections", limits.per_ip_connections);
  if (at.has("per_ip_exempt")) {
    limits.per_ip_exempt.clear();
    const At list = at.child("per_ip_exempt");
    for (std::size_t i = 0, count = list.strings().size(); i < count; ++i) {
      const YAML::Node& n = list.node;
      limits.per_ip_exempt.push_back(
          yaml::cidr(At{n[i], list.path + "[" + std::to_string(i) + "]"}));
    }
  }
  yaml::read(at, "max_excess_errors", limits.max_excess_errors);
  yaml::read(at, "max_headers", limits.max_headers);
  yaml::read(at, "pad_sends", limits.pad_sends);
  if (at.has("cost")) read_cost(at.child("cost"), limits.cost);
  if (limits.max_line_bytes < 1024) at.fail("max_line_bytes below 1024");
  if (limits.send_queue_bytes < 64 * 1024) at.fail("send_queue_bytes below 65536");
  if (limits.max_headers == 0 || limits.max_batch == 0) at.fail("limits must be positive");
}

void read_tor_exits(const At& at, Profile& p) {
  if (at.has("tor_exits")) {
    const At list = at.child("tor_exits");
    const YAML::Node& n = list.node;
    for (std::size_t i = 0, count = list.strings().size(); i < count; ++i) {
      p.tor_exits.push_back(yaml::ip(At{n[i], list.path + "[" + std::to_string(i) + "]"}));
    }
  }
  if (at.has("tor_exits_file")) {
    const std::string path = at.child("tor_exits_file").str();
    std::ifstream in(path);
    if (!in) at.child("tor_exits_file").fail("cannot read " + path);
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
      line = line.substr(0, line.find('#'));
      while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back())))
        line.pop_back();
      while (!line.empty() && std::isspace(static_cast<unsigned char>(line.front()))) {
        line.erase(0, 1);
      }
      if (line.empty()) continue;
      auto ip = IpAddress::parse(line);
      if (!ip) throw ConfigError(path + ":" + std::to_string(number) + ": not an IP address");
      p.tor_exits.push_back(*ip);
    }
  }
}

void read_identity(const At& at, Profile& p) {
  yaml::read(at, "name", p.name);
  yaml::read(at, "server_version", p.server_version);
  yaml::read(at, "protocol_min", p.protocol_min);
  yaml::read(at, "protocol_max", p.protocol_max);
  yaml::read(at, "negotiate", p.negotiate);
  yaml::read(at, "version_min_args", p.version_min_args);
  yaml::read(at, "version_list_closes", p.version_list_closes);
  yaml::read(at, "banner", p.banner);
  if (at.has("donation_address")) {
    const At d = at.child("donation_address");
    if (d.node.IsNull()) {
      p.donation_address.reset();
    } else {
      p.donation_address = d.str();
    }
  }
  if (at.has("hosts")) p.hosts = at.child("hosts").json();
  if (at.has("feature_keys")) p.feature_keys = at.child("feature_keys").strings();
  if (at.has("features_extra")) p.features_extra = at.child("features_extra").json();
  if (!p.features_extra.is_object()) at.child("features_extra").fail("expected a map");
  if (at.has("peers")) p.peers = at.child("peers").json();
  if (!p.peers.is_array()) at.child("peers").fail("expected a list");
  yaml::read(at, "genesis_hash", p.genesis_hash);
  if (at.has("disabled_methods")) {
    const auto methods = at.child("disabled_methods").strings();
    p.disabled_methods = {methods.begin(), methods.end()};
  }
}

}  // namespace

std::string_view to_string(ErrorAction action) {
  switch (action) {
    case ErrorAction::reply:
      return "reply";
    case ErrorAction::reply_and_close:
      return "reply_and_close";
    case ErrorAction::close:
      return "close";
    case ErrorAction::ignore:
      return "ignore";
  }
  return "reply";
}

std::optional<ErrorAction> parse_error_action(std::string_view name) {
  for (auto a : {ErrorAction::reply, ErrorAction::reply_and_close, ErrorAction::close,
                 ErrorAction::ignore}) {
    if (to_string(a) == name) return a;
  }
  return std::nullopt;
}

Profile load_profile(std::string_view yaml_text) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    throw ConfigError(std::string("profile: not YAML: ") + e.what());
  }
  const At at{root, "profile"};
  if (!root.IsMap()) at.fail("expected a map");
  at.only({"name",
           "base",
           "server_version",
           "protocol_min",
           "protocol_max",
           "negotiate",
           "version_min_args",
           "version_list_closes",
           "banner",
           "donation_address",
           "hosts",
           "feature_keys",
           "features_extra",
           "peers",
           "genesis_hash",
           "disabled_methods",
           "wire",
           "errors",
           "limits",
           "tor_exits",
           "tor_exits_file",
           "rules"});
  Base base = Base::electrumx;
  if (at.has("base")) {
    auto parsed = parse_base(at.child("base").str());
    if (!parsed) at.child("base").fail("expected electrumx, fulcrum, electrs or eps");
    base = *parsed;
  }
  Profile p = default_profile(base);
  read_identity(at, p);
  if (at.has("wire")) {
    const At wire = at.child("wire");
    wire.only({"layout", "crlf"});
    if (wire.has("layout")) {
      auto layout = parse_layout(wire.child("layout").str());
      if (!layout) wire.child("layout").fail("expected electrumx, sorted or python");
      p.wire.layout = *layout;
    }
    yaml::read(wire, "crlf", p.wire.crlf);
  }
  if (at.has("errors")) read_errors(at.child("errors"), p.errors);
  if (at.has("limits")) read_limits(at.child("limits"), p.limits);
  read_tor_exits(at, p);
  if (at.has("rules")) {
    const At list = at.child("rules");
    if (!list.node.IsSequence()) list.fail("expected a list of rules");
    const YAML::Node& n = list.node;
    for (std::size_t i = 0; i < n.size(); ++i) {
      p.rules.push_back(yaml::rule(At{n[i], list.path + "[" + std::to_string(i) + "]"}));
    }
  }
  return p;
}

Profile load_profile_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError("profile: cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return load_profile(text.str());
}

}  // namespace eo::honeypot::server
