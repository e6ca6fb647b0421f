// Severities follow what the operator can do with the knowledge: tie a wallet to an address or a
// payment (high), link or profile it (medium), or only narrow it down (low). Evidence lists at most
// kMaxListed entries and says how many more there are, so one item stays readable at any scale.
#include "aggregator/privacy_risk/privacy_risk.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>

#include "common/privacy/privacy_report.h"

namespace eo::aggregator::privacy_risk {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxListed = 10;
constexpr std::size_t kGapScan = 20;         // script hashes: a whole gap-limit window
constexpr double kRegularPolling = 0.1;      // ping interval CV at or below: clockwork
constexpr std::uint64_t kFewOperators = 2;   // half of the servers with this many: high
constexpr std::uint64_t kSomeOperators = 5;  // ... with this many: medium

std::string format(double v, const char* spec = "%.3g") {
  char text[32];
  std::snprintf(text, sizeof text, spec, v);
  return text;
}

// "1 wallet", "2 wallets".
std::string count(std::size_t n, const std::string& noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

std::string listed(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size() && i < kMaxListed; ++i) {
    out += (out.empty() ? "" : "; ") + items[i];
  }
  if (items.size() > kMaxListed) {
    out += "; and " + std::to_string(items.size() - kMaxListed) + " more";
  }
  return out;
}

std::string joined(const auto& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

void from_honeypot(const eo::privacy::PrivacyReport& report, std::vector<RiskItem>& out) {
  if (report.wallets.empty() && report.broadcasts.empty()) return;
  std::size_t largest = 0;
  std::vector<std::string> windows, multi_ip, multi_session, software, timing;
  for (const auto& w : report.wallets) {
    largest = std::max(largest, w.scripthashes.size());
    windows.push_back(w.wallet_id + ": " + std::to_string(w.scripthashes.size()) +
                      " script hashes in sessions " + joined(w.sessions));
    if (w.addresses.size() > 1) {
      multi_ip.push_back(w.wallet_id + ": " + std::to_string(w.addresses.size()) + " addresses (" +
                         joined(w.addresses) + ")");
    }
    if (w.sessions.size() > 1) {
      multi_session.push_back(w.wallet_id + ": " + std::to_string(w.sessions.size()) +
                              " sessions (" + joined(w.sessions) + ")");
    }
    if (!w.client_names.empty() || !w.tls_fingerprints.empty()) {
      std::string s = w.wallet_id + ": " + w.inferred_software + ", " + w.gap_pattern;
      if (!w.tls_fingerprints.empty()) s += ", TLS fingerprint " + joined(w.tls_fingerprints);
      software.push_back(s);
    }
    if (w.ping_interval_mean_s > 0 && w.ping_interval_cv <= kRegularPolling) {
      timing.push_back(w.wallet_id + ": server.ping every " +
                       format(w.ping_interval_mean_s, "%.1f") + " s (CV " +
                       format(w.ping_interval_cv, "%.2f") + ")");
    }
  }
  if (!report.wallets.empty()) {
    out.push_back(
        {"address_linking", largest >= kGapScan ? kHigh : kMedium,
         "A server links every address a wallet asks about: " +
             count(report.wallets.size(), "wallet") + " seen, the largest with " +
             std::to_string(largest) + (largest == 1 ? " script hash" : " script hashes"),
         listed(windows),
         "Run your own server (electrs, Fulcrum, Electrum Personal Server) or keep the "
         "wallet on one server you trust; every server it asks learns all its addresses."});
  }
  if (!multi_ip.empty()) {
    out.push_back({"cross_ip_linking", kHigh,
                   std::to_string(multi_ip.size()) + " of " +
                       std::to_string(report.wallets.size()) +
                       " wallets were seen from more than one address and still linked by their "
                       "script hashes",
                   listed(multi_ip),
                   "Changing IP or using Tor does not unlink a wallet from a server that sees its "
                   "addresses: use separate wallets for identities that must stay apart."});
  }
  if (!multi_session.empty()) {
    out.push_back({"cross_session_linking", kMedium,
                   count(multi_session.size(), "wallet") +
                       " linked across sessions: reconnecting does not start afresh",
                   listed(multi_session),
                   "Expect a server to recognise a wallet on every connection; only a server you "
                   "run avoids it."});
  }
  if (!software.empty()) {
    out.push_back({"software_fingerprinting", kMedium,
                   "Wallet software is recognisable from server.version, the gap-limit burst at "
                   "connect and the TLS ClientHello (" +
                       std::to_string(software.size()) + " wallets)",
                   listed(software),
                   "Keep the wallet software up to date (a common version hides in the crowd) and "
                   "connect over Tor, which hides the address but not the software."});
  }
  if (!timing.empty()) {
    out.push_back({"timing_regularity", kLow,
                   count(timing.size(), "wallet") +
                       " polling at a regular rhythm that can link sessions over time",
                   listed(timing),
                   "A regular polling interval is a weak identifier; it matters when combined with "
                   "the others: close the wallet when not in use."});
  }
  if (!report.broadcasts.empty()) {
    std::vector<std::string> seen;
    for (const auto& b : report.broadcasts) {
      seen.push_back(b.txid.substr(0, 16) + "… first seen from " + b.address +
                     (b.wallet_id.empty() ? "" : " (" + b.wallet_id + ")") + ", session " +
                     b.session_id);
    }
    out.push_back({"broadcast_origin", kHigh,
                   count(report.broadcasts.size(), "broadcast transaction") +
                       " tied to the address that sent it first",
                   listed(seen),
                   "Broadcast over Tor, or through a server other than the one that knows your "
                   "addresses."});
  }
}

const inventory::Concentration* dimension(const std::vector<inventory::Concentration>& figures,
                                          const std::string& name) {
  for (const auto& c : figures) {
    if (c.dimension == name && c.servers > 0) return &c;
  }
  return nullptr;
}

void from_network(const NetworkInputs& network, std::vector<RiskItem>& out) {
  const auto* operators = dimension(network.figures, "operator_cluster");
  const auto* asn = dimension(network.figures, "asn");
  if (operators) {
    std::string evidence = "operator_cluster: " + std::to_string(operators->servers) +
                           " servers, " + std::to_string(operators->groups.size()) +
                           " operators, half cover " + std::to_string(operators->half_cover) +
                           ", HHI " + format(operators->hhi);
    if (asn) {
      evidence += "; asn: half cover " + std::to_string(asn->half_cover) + " of " +
                  std::to_string(asn->groups.size()) + " networks, HHI " + format(asn->hhi);
    }
    const char* severity = operators->half_cover <= kFewOperators    ? kHigh
                           : operators->half_cover <= kSomeOperators ? kMedium
                                                                     : kLow;
    out.push_back({"server_concentration", severity,
                   "Half of the " + count(operators->servers, "server") + " are run by " +
                       count(operators->half_cover, "operator") +
                       ": few operators see most wallets' queries",
                   evidence,
                   "Prefer servers of small independent operators, spread wallets over different "
                   "operators, or run your own server."});
  }
  std::map<std::string, std::vector<std::string>> by_kind;
  for (const auto& f : network.findings) {
    std::string kind = f.finding.kind.rfind(findings::kDifferentialPrefix, 0) == 0 ? "differential"
                                                                                   : f.finding.kind;
    by_kind[kind].push_back(f.finding.server + " (" + f.finding_id + ")");
  }
  auto add = [&](const std::string& kind, const char* item, const char* severity, const char* noun,
                 const std::string& finding, const char* recommendation) {
    auto it = by_kind.find(kind);
    if (it == by_kind.end()) return;
    out.push_back({item, severity, count(it->second.size(), noun) + finding, listed(it->second),
                   recommendation});
  };
  add(findings::kHoneypotSuspicion, "suspicious_servers", kHigh, "server",
      " at or above the honeypot suspicion threshold",
      "Remove these servers from the wallet's server list (Electrum: Network > Server, or "
      "--server with --oneserver) and prefer servers you can attribute to an operator.");
  add("differential", "differential_treatment", kMedium, "finding",
      " of servers treating some of our vantages differently (by network, region "
      "or Tor): a server can single out users by where they connect from",
      "Connect over Tor so that every user looks alike to the server, and do not rely on one "
      "server's answers.");
  add(findings::kModifiedImplementation, "modified_implementations", kMedium, "target",
      " running software other than what it claims",
      "Treat servers whose behaviour contradicts their claim as untrusted; verify answers with "
      "SPV (Electrum checks merkle proofs) and avoid them for broadcasting.");
}

}  // namespace

std::vector<v1::HoneypotEvent> to_events(std::span<const results::EventRow> rows) {
  std::vector<v1::HoneypotEvent> out;
  out.reserve(rows.size());
  for (const auto& r : rows) {
    v1::HoneypotEvent e;
    e.set_event_id(r.event_id);
    e.set_honeypot_id(r.honeypot_id);
    e.set_session_id(r.session_id);
    v1::HoneypotEventKind kind = v1::HONEYPOT_EVENT_KIND_UNSPECIFIED;
    v1::HoneypotEventKind_Parse("HONEYPOT_EVENT_" + upper(r.kind), &kind);
    e.set_kind(kind);
    e.set_time_unix_us(r.time_us);
    e.set_peer_ip(r.peer_ip);
    e.set_peer_port(static_cast<std::uint32_t>(r.peer_port));
    e.set_peer_pseudonym(r.peer_pseudonym);
    e.set_local_address(r.local_address);
    e.set_transport(r.transport);
    e.set_tls_fingerprint(r.tls_fingerprint);
    e.set_client_name(r.client_name);
    e.set_protocol_min(r.protocol_min);
    e.set_protocol_max(r.protocol_max);
    e.set_method(r.method);
    e.set_params_json(r.params_json);
    auto hashes = json::parse(r.scripthashes.empty() ? "[]" : r.scripthashes, nullptr, false);
    if (hashes.is_array()) {
      for (const auto& h : hashes) {
        if (h.is_string()) e.add_scripthashes(h.get<std::string>());
      }
    }
    e.set_txid(r.txid);
    e.set_latency_us(static_cast<std::uint64_t>(std::max<std::int64_t>(r.latency_us, 0)));
    e.set_profile(r.profile);
    e.set_action(r.action);
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<RiskItem> assess(std::span<const results::EventRow> events,
                             const NetworkInputs& network, HoneypotFigures* figures) {
  std::vector<RiskItem> out;
  // Events come by time, then id (ResultsDb::events), so wallet numbering is stable.
  auto report = eo::privacy::analyze(to_events(events), {});
  if (figures) *figures = {report.sessions.size(), report.wallets.size()};
  from_honeypot(report, out);
  from_network(network, out);
  std::sort(out.begin(), out.end(),
            [](const RiskItem& a, const RiskItem& b) { return a.item < b.item; });
  return out;
}

void save_privacy_risk(results::Database& db, const std::vector<RiskItem>& items) {
  results::Transaction tx(db);
  db.exec("DELETE FROM privacy_risk");
  for (const auto& i : items) {
    auto s = db.prepare("INSERT INTO privacy_risk VALUES(?,?,?,?,?)");
    s.add(i.item).add(i.severity).add(i.finding).add(i.evidence).add(i.recommendation);
    s.run();
  }
  tx.commit();
}

}  // namespace eo::aggregator::privacy_risk
