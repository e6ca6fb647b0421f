// Profiles from YAML: the documented example loads, overrides land where they should, and a
// mistake is a ConfigError naming the key.
#include "honeypot/server/profile.h"
#include "honeypot/server/server.h"

#include <gtest/gtest.h>

namespace eo::honeypot::server {
namespace {

// The example of honeypot/server/README.md.
constexpr const char* kExample = R"(
name: eu-fulcrum-tarpit
base: fulcrum
banner: "Welcome to our Fulcrum"
donation_address: null
peers: [["203.0.113.9", "sibling.example", ["v1.4", "s50002", "t50001"]]]
limits:
  per_ip_connections: 4
  per_ip_exempt: []
  idle_timeout_ms: 300000
errors:
  unknown_method: {message: "no such method: {method}"}
tor_exits: ["198.51.100.7"]
rules:
  - name: tor-slow
    match: {tor_exit: true}
    action: {type: delay, ms: 250}
  - name: eu-throttle
    match: {subnets: ["192.0.2.0/24", "2001:db8::/32"]}
    action: {type: rate_limit, after_requests: 20, window_ms: 60000, style: electrumx}
  - name: old-electrum
    match: {client_regex: "^electrum/3\\."}
    action: {type: phishing_broadcast, url: "https://electrum-update.example"}
  - name: hide-canary
    action:
      type: alter_history
      scripthashes: ["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"]
      mode: replace
      history:
        - tx_hash: "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
          height: 5
      balance: {confirmed: 1000}
  - name: sybil-peers
    action: {type: peers, peers: [["203.0.113.10", "a.example", ["v1.4", "t50001"]]]}
  - name: fake-electrumx
    match: {client_prefix: "electrum/4"}
    action: {type: claim, implementation: electrumx}
  - name: blocked
    match: {subnets: ["10.0.0.0/8"]}
    action: {type: refuse}
)";

TEST(Profile, DocumentedExampleLoads) {
  const Profile p = load_profile(kExample);
  EXPECT_EQ(p.name, "eu-fulcrum-tarpit");
  EXPECT_EQ(p.base, Base::fulcrum);
  EXPECT_EQ(p.server_version, "Fulcrum 2.1.1");  // from the base
  EXPECT_EQ(p.banner, "Welcome to our Fulcrum");
  EXPECT_FALSE(p.donation_address.has_value());
  EXPECT_EQ(p.peers.size(), 1u);
  EXPECT_EQ(p.limits.per_ip_connections, 4u);
  EXPECT_TRUE(p.limits.per_ip_exempt.empty());
  EXPECT_EQ(p.limits.max_batch, 345u);  // base default kept
  EXPECT_EQ(p.errors.unknown_method.message, "no such method: {method}");
  EXPECT_EQ(p.errors.unknown_method.code, -32601);
  EXPECT_TRUE(p.wire.crlf);
  ASSERT_EQ(p.rules.size(), 7u);
  EXPECT_EQ(p.rules[0].action.kind, ActionKind::delay);
  EXPECT_TRUE(p.rules[0].match.tor_exit);
  EXPECT_EQ(p.rules[1].action.after_requests, 20u);
  EXPECT_EQ(p.rules[1].match.subnets.size(), 2u);
  EXPECT_TRUE(p.rules[2].match.client_regex.has_value());
  EXPECT_FALSE(p.rules[3].action.hide);
  EXPECT_EQ(p.rules[3].action.history.size(), 1u);
  EXPECT_EQ(p.rules[3].action.balance.confirmed, 1000);
  EXPECT_EQ(p.rules[5].action.claim_base, Base::electrumx);
  EXPECT_EQ(p.rules[6].label(), "refuse:blocked");
  EXPECT_TRUE(p.is_tor_exit(*IpAddress::parse("198.51.100.7")));
}

TEST(Profile, EveryBaseHasItsDefaults) {
  EXPECT_EQ(default_profile(Base::electrumx).donation_address, "");
  EXPECT_FALSE(default_profile(Base::electrs).donation_address.has_value());
  EXPECT_EQ(default_profile(Base::eps).wire.layout, Layout::python);
  EXPECT_FALSE(default_profile(Base::eps).limits.batches);
  EXPECT_TRUE(default_profile(Base::electrumx).limits.version_first);
  EXPECT_TRUE(default_profile(Base::electrumx).limits.cost.enabled);
  EXPECT_EQ(default_profile(Base::fulcrum).limits.per_ip_connections, 12u);
}

void expect_error(const std::string& yaml, const std::string& fragment) {
  try {
    load_profile(yaml);
    ADD_FAILURE() << "no error for: " << yaml;
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(Profile, MistakesNameTheKey) {
  expect_error("base: bitcoind", "profile.base");
  expect_error("bannner: x", "unknown key \"bannner\"");
  expect_error("rules: [{action: {type: delay, ms: -3}}]", "profile.rules[0].action.ms");
  expect_error("rules: [{action: {type: teleport}}]", "unknown action type \"teleport\"");
  expect_error("rules: [{match: {subnets: [\"10.0.0.0/99\"]}, action: {type: refuse}}]",
               "profile.rules[0].match.subnets[0]");
  expect_error("rules: [{match: {client_regex: \"(\"}, action: {type: refuse}}]",
               "bad regular expression");
  expect_error("errors: {unknown_mehtod: {code: 1}}", "unknown error name");
  expect_error("limits: {cost: {soft_limit: 10, hard_limit: 5}}", "hard_limit");
  expect_error("[1, 2]", "expected a map");
}

TEST(HoneypotConfig, ListenersRecordingAndInlineProfile) {
  const HoneypotConfig c = load_honeypot_config(R"(
honeypot_id: hp-eu-1
pseudonymize: true
pseudonym_salt: "0123456789abcdef0123"
listeners:
  - {host: 0.0.0.0, port: 50001}
  - {host: 0.0.0.0, port: 50002, transport: tls,
     cert_file: /etc/hp/cert.pem, key_file: /etc/hp/key.pem}
profile:
  base: electrs
  banner: hi
)");
  EXPECT_EQ(c.server.honeypot_id, "hp-eu-1");
  EXPECT_TRUE(c.server.pseudonymize);
  ASSERT_EQ(c.server.listeners.size(), 2u);
  EXPECT_EQ(c.server.listeners[1].transport, Transport::tls);
  EXPECT_EQ(c.profile.base, Base::electrs);
  EXPECT_EQ(c.profile.banner, "hi");
  EXPECT_THROW(load_honeypot_config("listeners: [{transport: tls}]"), ConfigError);
  EXPECT_THROW(load_honeypot_config("pseudonymize: true\nlisteners: []"), ConfigError);
}

}  // namespace
}  // namespace eo::honeypot::server
