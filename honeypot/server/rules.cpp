// Behaviour rules: matching a peer and resolving the session's Policy.
#include "honeypot/server/rules.h"

#include <algorithm>

namespace eo::honeypot::server {

std::string_view to_string(Base base) {
  switch (base) {
    case Base::electrumx:
      return "electrumx";
    case Base::fulcrum:
      return "fulcrum";
    case Base::electrs:
      return "electrs";
    case Base::eps:
      return "eps";
  }
  return "electrumx";
}

std::optional<Base> parse_base(std::string_view name) {
  for (Base b : {Base::electrumx, Base::fulcrum, Base::electrs, Base::eps}) {
    if (to_string(b) == name) return b;
  }
  return std::nullopt;
}

std::string_view to_string(ActionKind kind) {
  switch (kind) {
    case ActionKind::refuse:
      return "refuse";
    case ActionKind::rate_limit:
      return "rate_limit";
    case ActionKind::delay:
      return "delay";
    case ActionKind::banner:
      return "banner";
    case ActionKind::alter_history:
      return "alter_history";
    case ActionKind::phishing_broadcast:
      return "phishing_broadcast";
    case ActionKind::peers:
      return "peers";
    case ActionKind::claim:
      return "claim";
  }
  return "delay";
}

std::optional<ActionKind> parse_action_kind(std::string_view name) {
  for (std::size_t i = 0; i < kActionKinds; ++i) {
    const auto kind = static_cast<ActionKind>(i);
    if (to_string(kind) == name) return kind;
  }
  return std::nullopt;
}

std::string Rule::label() const {
  std::string out(to_string(action.kind));
  if (!name.empty()) out.append(":").append(name);
  return out;
}

const Rule* Policy::alter_for(const std::string& scripthash) const {
  for (const Rule* rule : alters) {
    if (rule->action.scripthashes.count(scripthash) != 0) return rule;
  }
  return nullptr;
}

bool matches(const RuleMatch& match, const PeerFacts& peer) {
  if (!match.subnets.empty() && std::none_of(match.subnets.begin(), match.subnets.end(),
                                             [&](const Cidr& c) { return c.contains(peer.ip); })) {
    return false;
  }
  if (match.tor_exit && !peer.tor_exit) return false;
  if (!match.needs_client()) return true;
  if (peer.client_name == nullptr) return false;
  const std::string& name = *peer.client_name;
  if (!match.client_prefix.empty() && name.rfind(match.client_prefix, 0) != 0) return false;
  if (match.client_regex && !std::regex_search(name, *match.client_regex)) return false;
  return true;
}

Policy resolve_policy(const std::vector<Rule>& rules, const PeerFacts& peer) {
  Policy policy;
  for (const Rule& rule : rules) {
    if (!matches(rule.match, peer)) continue;
    if (rule.action.kind == ActionKind::alter_history) policy.alters.push_back(&rule);
    auto& slot = policy.by_kind[static_cast<std::size_t>(rule.action.kind)];
    if (slot == nullptr) slot = &rule;
  }
  return policy;
}

}  // namespace eo::honeypot::server
