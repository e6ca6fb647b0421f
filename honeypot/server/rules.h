// Behaviour rules: who a rule applies to (source subnet, Tor exit list, client name) and what it
// makes the server do to them (refuse, rate-limit, tarpit, change banner, history or peers,
// phish on broadcast, claim another implementation). A session's Policy is the rules that hold.
#pragma once

#include "honeypot/chain/backend.h"
#include "honeypot/server/net_address.h"

#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <unordered_set>
#include <vector>

namespace eo::honeypot::server {

enum class Base { electrumx, fulcrum, electrs, eps };
std::string_view to_string(Base base);
std::optional<Base> parse_base(std::string_view name);

// Every condition given must hold; a match with no conditions applies to everyone.
struct RuleMatch {
  std::vector<Cidr> subnets;               // any of them
  bool tor_exit = false;                   // the peer is in the profile's tor_exits list
  std::optional<std::regex> client_regex;  // searched in the server.version client name
  std::string client_regex_text;
  std::string client_prefix;

  // Client conditions can only be decided once the client sent server.version.
  bool needs_client() const { return client_regex.has_value() || !client_prefix.empty(); }
};

enum class ActionKind {
  refuse,
  rate_limit,
  delay,
  banner,
  alter_history,
  phishing_broadcast,
  peers,
  claim
};
inline constexpr std::size_t kActionKinds = 8;
std::string_view to_string(ActionKind kind);
std::optional<ActionKind> parse_action_kind(std::string_view name);

// The parameters of every kind live side by side; a rule reads those of its kind.
struct RuleAction {
  ActionKind kind = ActionKind::delay;
  // rate_limit: after `after_requests` requests (within `window`, when non-zero) answer the
  // throttling error of `style` (ElectrumX: -101 "excessive resource usage"; Fulcrum: 3
  // "Excessive flood ..."), then disconnect unless `disconnect` is false.
  std::uint64_t after_requests = 0;
  std::chrono::milliseconds window{0};
  Base style = Base::electrumx;
  bool disconnect = true;
  // delay: added before every reply.
  std::chrono::milliseconds delay{0};
  // banner: the replacement text. claim: the banner to claim (empty: that implementation's).
  std::string text;
  // alter_history: which script hashes; hide them (no history, no coins) or serve `history`,
  // `utxos` and `balance` instead.
  std::unordered_set<std::string> scripthashes;
  bool hide = true;
  std::vector<chain::HistoryItem> history;
  std::vector<chain::Utxo> utxos;
  chain::Balance balance;
  // phishing_broadcast: the error a broadcast gets; "{url}" in `message` becomes `url`.
  std::string url;
  std::string message;
  std::int64_t code = 1;
  // peers: the server.peers.subscribe result.
  nlohmann::json peers = nlohmann::json::array();
  // claim: report `claim_base` (its version string unless `server_version` is set).
  Base claim_base = Base::fulcrum;
  std::string server_version;
};

struct Rule {
  std::string name;
  RuleMatch match;
  RuleAction action;

  // "delay" or "delay:eu-tarpit": how events name what this rule did.
  std::string label() const;
};

// What applies to one session: for each action kind the first rule (in profile order) whose
// match holds; every matching alter_history rule (the first that names a script hash wins).
struct Policy {
  std::array<const Rule*, kActionKinds> by_kind{};
  std::vector<const Rule*> alters;

  const Rule* get(ActionKind kind) const { return by_kind[static_cast<std::size_t>(kind)]; }
  // The alter_history rule for `scripthash`, or null.
  const Rule* alter_for(const std::string& scripthash) const;
};

struct PeerFacts {
  IpAddress ip;
  bool tor_exit = false;
  const std::string* client_name = nullptr;  // null until server.version
};

bool matches(const RuleMatch& match, const PeerFacts& peer);
Policy resolve_policy(const std::vector<Rule>& rules, const PeerFacts& peer);

}  // namespace eo::honeypot::server
