// Rendering of a PrivacyReport: JSON for machines, Markdown for people.
#include "common/privacy/privacy_report.h"

#include <cstdio>
#include <sstream>

namespace eo::privacy {

namespace {

nlohmann::json session_json(const SessionView& s) {
  return {{"session_id", s.session_id},     {"address", s.address},
          {"transport", s.transport},       {"client_name", s.client_name},
          {"protocol", s.protocol},         {"tls_fingerprint", s.tls_fingerprint},
          {"first_unix_us", s.first_us},    {"last_unix_us", s.last_us},
          {"scripthashes", s.scripthashes}, {"initial_subscriptions", s.initial_subscriptions},
          {"methods", s.methods},           {"pings", s.ping_times_us.size()},
          {"broadcasts", s.broadcasts}};
}

nlohmann::json wallet_json(const WalletView& w) {
  return {{"wallet_id", w.wallet_id},
          {"sessions", w.sessions},
          {"addresses", w.addresses},
          {"scripthash_count", w.scripthashes.size()},
          {"scripthashes", w.scripthashes},
          {"client_names", w.client_names},
          {"tls_fingerprints", w.tls_fingerprints},
          {"inferred_software", w.inferred_software},
          {"gap_pattern", w.gap_pattern},
          {"script_types", w.script_types},
          {"broadcasts", w.broadcasts},
          {"ping_interval_mean_s", w.ping_interval_mean_s},
          {"ping_interval_cv", w.ping_interval_cv},
          {"first_unix_us", w.first_us},
          {"last_unix_us", w.last_us}};
}

}  // namespace

nlohmann::json to_json(const PrivacyReport& report) {
  nlohmann::json out = {{"events", report.events}, {"recommendations", report.recommendations}};
  out["sessions"] = nlohmann::json::array();
  for (const auto& s : report.sessions) out["sessions"].push_back(session_json(s));
  out["wallets"] = nlohmann::json::array();
  for (const auto& w : report.wallets) out["wallets"].push_back(wallet_json(w));
  out["broadcasts"] = nlohmann::json::array();
  for (const auto& b : report.broadcasts) {
    out["broadcasts"].push_back({{"txid", b.txid},
                                 {"first_seen_unix_us", b.first_seen_us},
                                 {"address", b.address},
                                 {"session_id", b.session_id},
                                 {"wallet_id", b.wallet_id}});
  }
  return out;
}

std::string to_markdown(const PrivacyReport& report) {
  std::ostringstream out;
  out << "# What this server learned\n\n"
      << report.events << " events, " << report.sessions.size() << " sessions, "
      << report.wallets.size() << " wallets, " << report.broadcasts.size()
      << " broadcast transactions.\n\n## Wallets\n\n"
      << "| wallet | sessions | addresses | script hashes | software | gap pattern | "
         "ping interval (mean, CV) |\n|---|---|---|---|---|---|---|\n";
  for (const auto& w : report.wallets) {
    std::string addresses;
    for (const auto& a : w.addresses) addresses += (addresses.empty() ? "" : ", ") + a;
    char timing[64];
    std::snprintf(timing, sizeof timing, "%.1f s, %.2f", w.ping_interval_mean_s,
                  w.ping_interval_cv);
    out << "| " << w.wallet_id << " | " << w.sessions.size() << " | " << addresses << " | "
        << w.scripthashes.size() << " | " << w.inferred_software << " | " << w.gap_pattern << " | "
        << timing << " |\n";
  }
  out << "\n## Broadcast transactions\n\n| txid | first seen from | wallet |\n|---|---|---|\n";
  for (const auto& b : report.broadcasts) {
    out << "| " << b.txid << " | " << b.address << " | " << b.wallet_id << " |\n";
  }
  out << "\n## Recommendations\n\n";
  for (const auto& r : report.recommendations) out << "- " << r << "\n";
  return out.str();
}

}  // namespace eo::privacy
