// Reads behaviour rules from a profile's `rules:` list (schema in honeypot/server/README.md).
#include "honeypot/server/yaml_reader.h"

#include <cctype>

namespace eo::honeypot::server::yaml {
namespace {

// 2018-19 style: the error a wallet shows its user carries a link to a "fixed" wallet.
constexpr std::string_view kPhishingMessage =
    "<b>Electrum security update required.</b> Your wallet version is vulnerable and its "
    "transactions are rejected. Download the update at <a href=\"{url}\">{url}</a> and try "
    "again.";

std::string hash_hex(const At& at) {
  std::string s = at.str();
  if (s.size() != 64) at.fail("expected 64 hex characters");
  for (char& c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) at.fail("expected 64 hex characters");
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return s;
}

RuleMatch read_match(const At& at) {
  at.only({"subnets", "tor_exit", "client_regex", "client_prefix"});
  RuleMatch match;
  if (at.has("subnets")) {
    const At list = at.child("subnets");
    if (!list.node.IsSequence()) list.fail("expected a list of subnets");
    for (std::size_t i = 0; i < list.node.size(); ++i) {
      const YAML::Node& n = list.node;
      match.subnets.push_back(cidr(At{n[i], list.path + "[" + std::to_string(i) + "]"}));
    }
  }
  read(at, "tor_exit", match.tor_exit);
  read(at, "client_prefix", match.client_prefix);
  if (at.has("client_regex")) {
    match.client_regex_text = at.child("client_regex").str();
    try {
      match.client_regex.emplace(match.client_regex_text, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      at.child("client_regex").fail(std::string("bad regular expression: ") + e.what());
    }
  }
  return match;
}

void read_history(const At& at, RuleAction& action) {
  if (at.has("history")) {
    const At list = at.child("history");
    if (!list.node.IsSequence()) list.fail("expected a list");
    const YAML::Node& n = list.node;
    for (std::size_t i = 0; i < n.size(); ++i) {
      const At item{n[i], list.path + "[" + std::to_string(i) + "]"};
      item.only({"tx_hash", "height", "fee"});
      chain::HistoryItem h{hash_hex(item.child("tx_hash")), item.child("height").integer(), 0};
      read(item, "fee", h.fee);
      action.history.push_back(std::move(h));
    }
  }
  if (at.has("utxos")) {
    const At list = at.child("utxos");
    if (!list.node.IsSequence()) list.fail("expected a list");
    const YAML::Node& n = list.node;
    for (std::size_t i = 0; i < n.size(); ++i) {
      const At item{n[i], list.path + "[" + std::to_string(i) + "]"};
      item.only({"tx_hash", "tx_pos", "height", "value"});
      action.utxos.push_back(
          chain::Utxo{hash_hex(item.child("tx_hash")),
                      static_cast<std::uint32_t>(item.child("tx_pos").unsigned_integer()),
                      item.child("height").integer(), item.child("value").integer()});
    }
  }
  if (at.has("balance")) {
    const At b = at.child("balance");
    b.only({"confirmed", "unconfirmed"});
    read(b, "confirmed", action.balance.confirmed);
    read(b, "unconfirmed", action.balance.unconfirmed);
  }
}

Base read_base(const At& at) {
  auto base = parse_base(at.str());
  if (!base) at.fail("expected electrumx, fulcrum, electrs or eps");
  return *base;
}

RuleAction read_action(const At& at) {
  RuleAction action;
  if (!at.has("type")) at.fail("missing \"type\"");
  auto kind = parse_action_kind(at.child("type").str());
  if (!kind) at.child("type").fail("unknown action type \"" + at.child("type").str() + "\"");
  action.kind = *kind;
  switch (*kind) {
    case ActionKind::refuse:
      at.only({"type"});
      break;
    case ActionKind::rate_limit:
      at.only({"type", "after_requests", "window_ms", "style", "disconnect"});
      action.after_requests = at.child("after_requests").unsigned_integer();
      if (at.has("window_ms")) {
        action.window = std::chrono::milliseconds(at.child("window_ms").unsigned_integer());
      }
      if (at.has("style")) action.style = read_base(at.child("style"));
      read(at, "disconnect", action.disconnect);
      break;
    case ActionKind::delay:
      at.only({"type", "ms"});
      action.delay = std::chrono::milliseconds(at.child("ms").unsigned_integer());
      break;
    case ActionKind::banner:
      at.only({"type", "text"});
      action.text = at.child("text").str();
      break;
    case ActionKind::alter_history: {
      at.only({"type", "scripthashes", "mode", "history", "utxos", "balance"});
      const At list = at.child("scripthashes");
      if (!list.node.IsSequence()) list.fail("expected a list of script hashes");
      const YAML::Node& n = list.node;
      for (std::size_t i = 0; i < n.size(); ++i) {
        action.scripthashes.insert(hash_hex(At{n[i], list.path + "[" + std::to_string(i) + "]"}));
      }
      const std::string mode = at.has("mode") ? at.child("mode").str() : "hide";
      if (mode != "hide" && mode != "replace") at.child("mode").fail("expected hide or replace");
      action.hide = mode == "hide";
      read_history(at, action);
      break;
    }
    case ActionKind::phishing_broadcast:
      at.only({"type", "url", "message", "code"});
      action.url = at.child("url").str();
      action.message = std::string(kPhishingMessage);
      read(at, "message", action.message);
      read(at, "code", action.code);
      break;
    case ActionKind::peers:
      at.only({"type", "peers"});
      action.peers = at.child("peers").json();
      if (!action.peers.is_array()) at.child("peers").fail("expected a list");
      break;
    case ActionKind::claim:
      at.only({"type", "implementation", "server_version", "banner"});
      action.claim_base = read_base(at.child("implementation"));
      read(at, "server_version", action.server_version);
      read(at, "banner", action.text);
      break;
  }
  return action;
}

}  // namespace

Rule rule(const At& at) {
  at.only({"name", "match", "action"});
  Rule r;
  read(at, "name", r.name);
  if (at.has("match")) r.match = read_match(at.child("match"));
  if (!at.has("action")) at.fail("missing \"action\"");
  r.action = read_action(at.child("action"));
  return r;
}

}  // namespace eo::honeypot::server::yaml
