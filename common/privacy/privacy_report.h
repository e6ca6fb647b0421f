// What a server operator learns from the events of its sessions: sessions grouped into wallets by
// shared script hashes, wallets linked across time and IPs, the software and gap-limit pattern of
// each, polling rhythm, and the first-seen IP of every broadcast. Pure: events in, report out.
#pragma once

#include "eo/v1/honeypot.pb.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace eo::privacy {

struct ReportOptions {
  // Third parties' IPs never appear unless asked for (our own wallets in tests); otherwise a
  // session's address is its recorded pseudonym, or a salted hash made here.
  bool show_ips = false;
  std::string pseudonym_salt = "privacy-report";
  // Optional: the script type ("p2wpkh", ...) of a script hash, when the chain knows it.
  std::function<std::optional<std::string>(const std::string&)> script_type;
};

struct SessionView {
  std::string session_id;
  std::string address;  // IP or pseudonym
  std::string transport;
  std::string client_name;
  std::string protocol;
  std::string tls_fingerprint;
  std::int64_t first_us = 0;
  std::int64_t last_us = 0;
  std::vector<std::string> scripthashes;  // first-seen order
  std::size_t initial_subscriptions = 0;  // the opening burst of scripthash.subscribe
  std::map<std::string, std::size_t> methods;
  std::vector<std::int64_t> ping_times_us;
  std::vector<std::string> broadcasts;
};

struct WalletView {
  std::string wallet_id;  // "wallet-1", ... in order of first appearance
  std::vector<std::string> sessions;
  std::set<std::string> addresses;
  std::set<std::string> scripthashes;
  std::set<std::string> client_names;
  std::set<std::string> tls_fingerprints;
  std::string inferred_software;
  std::string gap_pattern;
  std::vector<std::string> broadcasts;
  std::map<std::string, std::size_t> script_types;
  double ping_interval_mean_s = 0;
  double ping_interval_cv = 0;  // coefficient of variation: low = regular polling
  std::int64_t first_us = 0;
  std::int64_t last_us = 0;
};

struct BroadcastView {
  std::string txid;
  std::int64_t first_seen_us = 0;
  std::string address;
  std::string session_id;
  std::string wallet_id;
};

struct PrivacyReport {
  std::vector<SessionView> sessions;
  std::vector<WalletView> wallets;
  std::vector<BroadcastView> broadcasts;
  std::vector<std::string> recommendations;
  std::size_t events = 0;
};

PrivacyReport analyze(const std::vector<v1::HoneypotEvent>& events, const ReportOptions& options);

nlohmann::json to_json(const PrivacyReport& report);
// A readable report (Markdown) with the numbers and the recommendations they support.
std::string to_markdown(const PrivacyReport& report);

}  // namespace eo::privacy
