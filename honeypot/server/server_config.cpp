// Reads a whole honeypot configuration (listeners, recording, inline or file profile) from YAML.
#include "honeypot/server/server.h"
#include "honeypot/server/yaml_reader.h"

#include <stdexcept>

namespace eo::honeypot::server {

using yaml::At;

namespace {

ListenerConfig read_listener(const At& at) {
  at.only({"host", "port", "transport", "cert_file", "key_file"});
  ListenerConfig l;
  yaml::read(at, "host", l.host);
  if (at.has("port")) {
    const auto port = at.child("port").unsigned_integer();
    if (port > 65535) at.child("port").fail("not a port number");
    l.port = static_cast<std::uint16_t>(port);
  }
  if (at.has("transport")) {
    const std::string t = at.child("transport").str();
    if (t != "tcp" && t != "tls") at.child("transport").fail("expected tcp or tls");
    l.transport = t == "tls" ? Transport::tls : Transport::tcp;
  }
  yaml::read(at, "cert_file", l.cert_file);
  yaml::read(at, "key_file", l.key_file);
  if (l.transport == Transport::tls && (l.cert_file.empty() || l.key_file.empty())) {
    at.fail("a tls listener needs cert_file and key_file");
  }
  return l;
}

void read_server(const At& at, ServerConfig& c) {
  yaml::read(at, "honeypot_id", c.honeypot_id);
  yaml::read(at, "pseudonymize", c.pseudonymize);
  yaml::read(at, "pseudonym_salt", c.pseudonym_salt);
  yaml::read(at, "max_sessions", c.max_sessions);
  yaml::read(at, "read_chunk_bytes", c.read_chunk_bytes);
  yaml::read(at, "max_params_bytes", c.max_params_bytes);
  if (at.has("handshake_timeout_ms")) {
    c.handshake_timeout =
        std::chrono::milliseconds(at.child("handshake_timeout_ms").unsigned_integer());
  }
  if (at.has("write_timeout_ms")) {
    c.write_timeout = std::chrono::milliseconds(at.child("write_timeout_ms").unsigned_integer());
  }
  if (at.has("upstream")) {
    try {
      c.upstream = parse_upstream(at.child("upstream").str());
    } catch (const std::invalid_argument& e) {
      at.child("upstream").fail(e.what());
    }
  }
  if (at.has("upstream_max_outstanding")) {
    if (!c.upstream) at.fail("upstream_max_outstanding without upstream");
    c.upstream->max_outstanding = at.child("upstream_max_outstanding").unsigned_integer();
    if (c.upstream->max_outstanding == 0) at.child("upstream_max_outstanding").fail("must be > 0");
  }
  if (c.pseudonymize && c.pseudonym_salt.size() < 16) {
    at.fail("pseudonymize needs a pseudonym_salt of at least 16 characters");
  }
  if (c.read_chunk_bytes < 512) at.fail("read_chunk_bytes below 512");
  if (!at.has("listeners")) at.fail("missing \"listeners\"");
  const At list = at.child("listeners");
  if (!list.node.IsSequence()) list.fail("expected a list of listeners");
  const YAML::Node& n = list.node;
  for (std::size_t i = 0; i < n.size(); ++i) {
    c.listeners.push_back(read_listener(At{n[i], list.path + "[" + std::to_string(i) + "]"}));
  }
}

}  // namespace

HoneypotConfig load_honeypot_config(std::string_view yaml_text) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    throw ConfigError(std::string("honeypot: not YAML: ") + e.what());
  }
  const At at{root, "honeypot"};
  if (!root.IsMap()) at.fail("expected a map");
  at.only({"honeypot_id", "pseudonymize", "pseudonym_salt", "max_sessions", "read_chunk_bytes",
           "max_params_bytes", "handshake_timeout_ms", "write_timeout_ms", "listeners", "profile",
           "profile_file", "upstream", "upstream_max_outstanding"});
  HoneypotConfig config;
  read_server(at, config.server);
  if (at.has("profile") && at.has("profile_file"))
    at.fail("give profile or profile_file, not both");
  if (at.has("profile_file")) {
    config.profile = load_profile_file(at.child("profile_file").str());
  } else if (at.has("profile")) {
    YAML::Emitter out;
    out << at.child("profile").node;
    config.profile = load_profile(out.c_str());
  } else {
    config.profile = default_profile(Base::electrumx);
  }
  return config;
}

}  // namespace eo::honeypot::server
