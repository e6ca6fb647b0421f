// Privacy analysis: sessions, then wallets by union of shared script hashes, then the findings.
#include "common/privacy/privacy_report.h"

#include "common/bitcoin/hash.h"
#include "common/bitcoin/hex.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace eo::privacy {

namespace {

constexpr std::int64_t kBurstWindowUs = 10'000'000;

std::string address_of(const v1::HoneypotEvent& e, const ReportOptions& options) {
  if (options.show_ips && !e.peer_ip().empty()) return e.peer_ip();
  if (!e.peer_pseudonym().empty()) return "anon-" + e.peer_pseudonym().substr(0, 12);
  if (e.peer_ip().empty()) return "unknown";
  std::string input = options.pseudonym_salt + "|" + e.peer_ip();
  auto digest = bitcoin::sha256(
      bitcoin::ByteSpan(reinterpret_cast<const std::uint8_t*>(input.data()), input.size()));
  return "anon-" + bitcoin::to_hex(digest).substr(0, 12);
}

std::string software_of(const std::string& client_name) {
  if (client_name.empty()) return "unknown (no server.version)";
  auto slash = client_name.find('/');
  std::string family = client_name.substr(0, slash);
  std::string version = slash == std::string::npos ? "" : client_name.substr(slash + 1);
  if (family == "electrum") return "Electrum " + version;
  if (family == "electrum-observatory") return "Electrum Observatory agent " + version;
  return client_name;
}

std::string gap_pattern_of(std::size_t burst, const std::set<std::string>& clients) {
  bool electrum = std::any_of(clients.begin(), clients.end(),
                              [](const auto& c) { return c.rfind("electrum/", 0) == 0; });
  if (burst >= 30 && electrum) {
    return std::to_string(burst) +
           " script hashes at connect: Electrum's default gap limits (20 receiving + 10 change)";
  }
  if (burst >= 20) return std::to_string(burst) + " script hashes at connect: a gap-limit scan";
  return std::to_string(burst) + " script hashes at connect";
}

struct UnionFind {
  std::vector<std::size_t> parent;
  std::size_t find(std::size_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  }
  void unite(std::size_t a, std::size_t b) { parent[find(a)] = find(b); }
};

std::vector<SessionView> build_sessions(std::vector<v1::HoneypotEvent> events,
                                        const ReportOptions& options) {
  std::stable_sort(events.begin(), events.end(), [](const auto& a, const auto& b) {
    return a.time_unix_us() < b.time_unix_us();
  });
  std::vector<SessionView> sessions;
  std::map<std::string, std::size_t> index;
  std::map<std::string, std::set<std::string>> seen;
  std::map<std::string, std::int64_t> first_subscribe;
  for (const auto& e : events) {
    auto [it, fresh] = index.try_emplace(e.session_id(), sessions.size());
    if (fresh) {
      SessionView s;
      s.session_id = e.session_id();
      s.address = address_of(e, options);
      s.transport = e.transport();
      s.first_us = e.time_unix_us();
      sessions.push_back(std::move(s));
    }
    SessionView& s = sessions[it->second];
    s.last_us = std::max(s.last_us, e.time_unix_us());
    switch (e.kind()) {
      case v1::HONEYPOT_EVENT_TLS_HELLO:
        s.tls_fingerprint = e.tls_fingerprint();
        break;
      case v1::HONEYPOT_EVENT_VERSION:
        s.client_name = e.client_name();
        s.protocol = e.protocol_min() + (e.protocol_max().empty() ? "" : "-" + e.protocol_max());
        break;
      case v1::HONEYPOT_EVENT_REQUEST: {
        ++s.methods[e.method()];
        if (e.method() == "server.ping") s.ping_times_us.push_back(e.time_unix_us());
        if (e.method() == "blockchain.scripthash.subscribe") {
          auto [start, first] = first_subscribe.try_emplace(s.session_id, e.time_unix_us());
          if (e.time_unix_us() - start->second <= kBurstWindowUs) ++s.initial_subscriptions;
        }
        for (const auto& sh : e.scripthashes()) {
          if (seen[s.session_id].insert(sh).second) s.scripthashes.push_back(sh);
        }
        break;
      }
      case v1::HONEYPOT_EVENT_BROADCAST:
        if (!e.txid().empty()) s.broadcasts.push_back(e.txid());
        break;
      default:
        break;
    }
  }
  return sessions;
}

void add_timing(WalletView& wallet, const std::vector<const SessionView*>& sessions) {
  std::vector<double> intervals;
  for (const auto* s : sessions) {
    for (std::size_t i = 1; i < s->ping_times_us.size(); ++i) {
      intervals.push_back(double(s->ping_times_us[i] - s->ping_times_us[i - 1]) / 1e6);
    }
  }
  if (intervals.empty()) return;
  double mean = std::accumulate(intervals.begin(), intervals.end(), 0.0) / intervals.size();
  double var = 0;
  for (double v : intervals) var += (v - mean) * (v - mean);
  var /= intervals.size();
  wallet.ping_interval_mean_s = mean;
  wallet.ping_interval_cv = mean > 0 ? std::sqrt(var) / mean : 0;
}

std::vector<WalletView> build_wallets(const std::vector<SessionView>& sessions,
                                      const ReportOptions& options) {
  UnionFind uf;
  uf.parent.resize(sessions.size());
  std::iota(uf.parent.begin(), uf.parent.end(), 0);
  std::map<std::string, std::size_t> owner;
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    for (const auto& sh : sessions[i].scripthashes) {
      auto [it, fresh] = owner.try_emplace(sh, i);
      if (!fresh) uf.unite(i, it->second);
    }
  }
  std::vector<WalletView> wallets;
  std::map<std::size_t, std::size_t> wallet_of_root;
  std::map<std::size_t, std::vector<const SessionView*>> members;
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    const SessionView& s = sessions[i];
    if (s.scripthashes.empty()) continue;
    auto [it, fresh] = wallet_of_root.try_emplace(uf.find(i), wallets.size());
    if (fresh) {
      WalletView w;
      w.wallet_id = "wallet-" + std::to_string(wallets.size() + 1);
      w.first_us = s.first_us;
      wallets.push_back(std::move(w));
    }
    WalletView& w = wallets[it->second];
    members[it->second].push_back(&s);
    w.sessions.push_back(s.session_id);
    w.addresses.insert(s.address);
    w.scripthashes.insert(s.scripthashes.begin(), s.scripthashes.end());
    if (!s.client_name.empty()) w.client_names.insert(s.client_name);
    if (!s.tls_fingerprint.empty()) w.tls_fingerprints.insert(s.tls_fingerprint);
    w.broadcasts.insert(w.broadcasts.end(), s.broadcasts.begin(), s.broadcasts.end());
    w.first_us = std::min(w.first_us, s.first_us);
    w.last_us = std::max(w.last_us, s.last_us);
  }
  for (std::size_t i = 0; i < wallets.size(); ++i) {
    WalletView& w = wallets[i];
    std::size_t burst = 0;
    for (const auto* s : members[i]) burst = std::max(burst, s->initial_subscriptions);
    w.inferred_software =
        w.client_names.empty() ? software_of("") : software_of(*w.client_names.begin());
    w.gap_pattern = gap_pattern_of(burst, w.client_names);
    for (const auto& sh : w.scripthashes) {
      auto type = options.script_type ? options.script_type(sh) : std::nullopt;
      ++w.script_types[type.value_or("unknown")];
    }
    add_timing(w, members[i]);
  }
  return wallets;
}

std::vector<BroadcastView> build_broadcasts(const std::vector<WalletView>& wallets,
                                            const std::vector<v1::HoneypotEvent>& events,
                                            const ReportOptions& options) {
  std::map<std::string, std::string> wallet_of_session;
  for (const auto& w : wallets) {
    for (const auto& s : w.sessions) wallet_of_session[s] = w.wallet_id;
  }
  std::map<std::string, BroadcastView> first;
  for (const auto& e : events) {
    if (e.kind() != v1::HONEYPOT_EVENT_BROADCAST || e.txid().empty()) continue;
    auto it = first.find(e.txid());
    if (it != first.end() && it->second.first_seen_us <= e.time_unix_us()) continue;
    first[e.txid()] = {e.txid(), e.time_unix_us(), address_of(e, options), e.session_id(),
                       wallet_of_session[e.session_id()]};
  }
  std::vector<BroadcastView> out;
  for (auto& [txid, view] : first) out.push_back(std::move(view));
  return out;
}

std::vector<std::string> recommend(const PrivacyReport& report) {
  std::vector<std::string> out;
  std::size_t largest = 0, multi_ip = 0, multi_session = 0;
  std::string largest_id;
  for (const auto& w : report.wallets) {
    if (w.scripthashes.size() > largest) {
      largest = w.scripthashes.size();
      largest_id = w.wallet_id;
    }
    if (w.addresses.size() > 1) ++multi_ip;
    if (w.sessions.size() > 1) ++multi_session;
  }
  if (largest > 0) {
    out.push_back("One server sees a wallet's whole address window: " + largest_id + " sent " +
                  std::to_string(largest) +
                  " script hashes. Run your own server (electrs, Fulcrum, Electrum Personal "
                  "Server) or limit the wallet to one trusted server.");
  }
  if (multi_ip > 0) {
    out.push_back(std::to_string(multi_ip) + " of " + std::to_string(report.wallets.size()) +
                  " wallets were seen from more than one address and still linked by their "
                  "script hashes: changing IP or using Tor does not unlink a wallet from a "
                  "server that sees its addresses.");
  }
  if (multi_session > 0) {
    out.push_back(std::to_string(multi_session) +
                  " wallets were linked across sessions: reconnecting does not start afresh.");
  }
  if (!report.broadcasts.empty()) {
    out.push_back(std::to_string(report.broadcasts.size()) +
                  " broadcast transactions were tied to the address that sent them first. "
                  "Broadcast over Tor, or through a server other than the one that knows your "
                  "addresses.");
  }
  return out;
}

}  // namespace

PrivacyReport analyze(const std::vector<v1::HoneypotEvent>& events, const ReportOptions& options) {
  PrivacyReport report;
  report.events = events.size();
  report.sessions = build_sessions(events, options);
  report.wallets = build_wallets(report.sessions, options);
  report.broadcasts = build_broadcasts(report.wallets, events, options);
  report.recommendations = recommend(report);
  return report;
}

}  // namespace eo::privacy
