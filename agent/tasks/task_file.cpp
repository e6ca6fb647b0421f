// Task file parsing with yaml-cpp; every error names the file and the key.
#include "agent/tasks/task_file.h"

#include "agent/probes/registry.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace eo::agent {

namespace {

struct Parser {
  std::string origin;

  [[noreturn]] void fail(const std::string& what) const {
    throw std::invalid_argument(origin + ": " + what);
  }

  template <typename T>
  T get(const YAML::Node& node, const char* key, T fallback) const {
    if (!node[key]) return fallback;
    try {
      return node[key].as<T>();
    } catch (const YAML::Exception&) {
      fail(std::string("bad value for '") + key + "'");
    }
  }

  std::pair<std::string, std::uint16_t> host_port(const std::string& text, const char* key) const {
    auto colon = text.rfind(':');
    if (colon == std::string::npos) fail(std::string(key) + " '" + text + "' is not HOST:PORT");
    int port = std::atoi(text.c_str() + colon + 1);
    if (port <= 0 || port > 65535) fail(std::string(key) + " '" + text + "' has a bad port");
    return {text.substr(0, colon), static_cast<std::uint16_t>(port)};
  }

  TargetSpec target(const std::string& text) const {
    auto last = text.rfind(':');
    if (last == std::string::npos || last + 2 != text.size() ||
        (text.back() != 't' && text.back() != 's')) {
      fail("target '" + text + "' is not host:port:t or host:port:s");
    }
    auto [host, port] = host_port(text.substr(0, last), "target");
    if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
    return {host, port, text.back() == 's'};
  }

  Vantage vantage(const YAML::Node& node) const {
    Vantage v;
    v.id = get<std::string>(node, "id", "");
    if (v.id.empty()) fail("a vantage has no id");
    v.region = get<std::string>(node, "region", "unknown");
    v.provider = get<std::string>(node, "provider", "unknown");
    v.bind_address = get<std::string>(node, "bind", "");
    v.tor = get<bool>(node, "tor", false);
    if (auto socks = get<std::string>(node, "socks", ""); !socks.empty()) {
      std::tie(v.socks_host, v.socks_port) = host_port(socks, "socks");
    }
    if (v.tor && v.socks_port == 0) fail("vantage '" + v.id + "' is tor but has no socks port");
    if (auto control = get<std::string>(node, "tor_control", ""); !control.empty()) {
      std::tie(v.tor_control_host, v.tor_control_port) = host_port(control, "tor_control");
      v.tor_cookie_file = get<std::string>(node, "tor_cookie", "");
    }
    v.isolate_streams = get<bool>(node, "isolate", true);
    v.egress_ip = get<std::string>(node, "egress_ip", v.bind_address);
    return v;
  }

  ClientProfileSpec profile(const YAML::Node& node) const {
    ClientProfileSpec p;
    p.name = get<std::string>(node, "name", p.name);
    p.client_name = get<std::string>(node, "client_name", p.client_name);
    p.protocol_min = get<std::string>(node, "protocol_min", p.protocol_min);
    p.protocol_max = get<std::string>(node, "protocol_max", p.protocol_max);
    p.tls_min_version = get<std::string>(node, "tls_min_version", "");
    p.tls_send_sni = get<bool>(node, "tls_send_sni", true);
    p.request_spacing_ms = get<unsigned>(node, "request_spacing_ms", 0);
    return p;
  }

  PolitenessConfig politeness(const YAML::Node& node) const {
    PolitenessConfig c;
    if (!node) return c;
    c.max_concurrency_per_target =
        get<unsigned>(node, "max_concurrency_per_target", c.max_concurrency_per_target);
    c.max_requests_per_second_per_target = get<double>(node, "max_requests_per_second_per_target",
                                                       c.max_requests_per_second_per_target);
    if (c.max_requests_per_second_per_target <= 0) fail("politeness rate must be positive");
    c.backoff_after_error = std::chrono::milliseconds(
        get<long>(node, "backoff_after_error_ms", c.backoff_after_error.count()));
    for (const auto& host : node["opt_out"]) c.opt_out_hosts.insert(host.as<std::string>());
    return c;
  }
};

// "all" leaves out probes the target's transport cannot serve; a named one that cannot run is an
// error.
std::vector<std::string> probe_names(const Parser& p, const YAML::Node& node,
                                     const TargetSpec& target) {
  std::vector<std::string> names;
  if (node.IsScalar() && node.as<std::string>() == "all") {
    for (const Probe* probe : all_probes()) {
      if (probe->needs() == Needs::tls_session && !target.tls) continue;
      names.emplace_back(probe->name());
    }
    return names;
  }
  if (!node.IsSequence()) p.fail("'probes' must be a list of probe names or 'all'");
  for (const auto& n : node) {
    auto name = n.as<std::string>();
    const Probe* probe = find_probe(name);
    if (!probe) p.fail("unknown probe '" + name + "'");
    if (probe->needs() == Needs::tls_session && !target.tls) {
      p.fail("probe '" + name + "' needs a TLS target, and " + target.id() + " is TCP");
    }
    names.push_back(name);
  }
  return names;
}

}  // namespace

AgentPlan parse_task_yaml(const std::string& text, const std::string& origin, TaskFileUse use) {
  Parser p{origin};
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    p.fail(std::string("not YAML: ") + e.what());
  }
  AgentPlan plan;
  plan.agent_id = p.get<std::string>(root, "agent_id", "agent");
  for (const auto& node : root["vantages"]) plan.vantages.push_back(p.vantage(node));
  if (plan.vantages.empty()) {
    Vantage local;
    local.id = "local";
    local.region = "local";
    plan.vantages.push_back(local);
  }
  std::vector<ClientProfileSpec> profiles;
  for (const auto& node : root["profiles"]) profiles.push_back(p.profile(node));
  if (profiles.empty()) profiles.emplace_back();
  plan.politeness = p.politeness(root["politeness"]);
  auto timeout = std::chrono::milliseconds(p.get<long>(root, "timeout_ms", 10'000));
  auto deadline = std::chrono::milliseconds(p.get<long>(root, "deadline_ms", 120'000));
  plan.timeout = timeout;
  plan.deadline = deadline;

  if (use == TaskFileUse::serve_coordinator) {
    if (root["tasks"]) p.fail("'tasks' come from the coordinator here; remove them");
    return plan;
  }
  if (!root["tasks"] || !root["tasks"].IsSequence()) p.fail("no 'tasks' list");
  int index = 0;
  for (const auto& task : root["tasks"]) {
    ++index;
    TargetSpec target = p.target(p.get<std::string>(task, "target", ""));
    auto names = probe_names(p, task["probes"] ? task["probes"] : YAML::Node("all"), target);
    auto profile_name = p.get<std::string>(task, "profile", profiles.front().name);
    auto profile = std::find_if(profiles.begin(), profiles.end(),
                                [&](const auto& pr) { return pr.name == profile_name; });
    if (profile == profiles.end()) p.fail("task " + std::to_string(index) + ": unknown profile");
    auto vantage_id = p.get<std::string>(task, "vantage", "");
    auto rounds = p.get<unsigned>(task, "rounds", 1);
    for (unsigned round = 0; round < rounds; ++round) {
      for (const auto& vantage : plan.vantages) {
        if (!vantage_id.empty() && vantage.id != vantage_id) continue;
        for (const auto& name : names) {
          PlannedProbe planned;
          planned.vantage_id = vantage.id;
          auto& r = planned.request;
          r.campaign_id = p.get<std::string>(root, "campaign_id", "local");
          r.round = round;
          r.task_id = "task-" + std::to_string(index);
          r.target = target;
          r.profile = *profile;
          r.probe_name = name;
          r.timeout = timeout;
          r.deadline = deadline;
          if (task["params"] && task["params"][name]) {
            const YAML::Node params = task["params"][name];
            for (const auto& kv : params) {
              r.params[kv.first.as<std::string>()] = kv.second.as<std::string>();
            }
          }
          plan.probes.push_back(std::move(planned));
        }
      }
    }
  }
  return plan;
}

AgentPlan load_task_file(const std::string& path, TaskFileUse use) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument("cannot read task file " + path);
  std::stringstream text;
  text << in.rdbuf();
  return parse_task_yaml(text.str(), path, use);
}

}  // namespace eo::agent
