// The privacy risk summary: what the honeypot shows a server operator learns about wallet users
// (common/privacy: addresses linked per session and wallet, across IPs, software fingerprints,
// timing regularity, the first-seen address of broadcasts), combined with what the network
// findings say about the servers users meet (how concentrated they are, suspicious servers,
// differential treatment, modified implementations). Each item has a severity, the evidence it
// rests on and a recommendation. Third parties' IPs never appear (pseudonyms, as in the
// honeypot's report). Pure: rows and the other analyses' results in, items out.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "aggregator/findings/findings.h"
#include "aggregator/inventory/concentration.h"
#include "aggregator/results/rows.h"
#include "aggregator/results/sqlite.h"
#include "eo/v1/honeypot.pb.h"

namespace eo::aggregator::privacy_risk {

inline constexpr const char* kHigh = "high";
inline constexpr const char* kMedium = "medium";
inline constexpr const char* kLow = "low";

struct RiskItem {
  std::string item;  // e.g. "cross_ip_linking"; the table's key
  std::string severity;
  std::string finding;         // what an operator learns, in one sentence
  std::string evidence;        // wallets, sessions, finding ids or figures behind it
  std::string recommendation;  // what a wallet user can do about it

  bool operator==(const RiskItem&) const = default;
};

struct NetworkInputs {
  const std::vector<inventory::Concentration>& figures;
  const std::vector<findings::IdentifiedFinding>& findings;
};

// The stored rows as the messages the privacy analysis reads.
std::vector<v1::HoneypotEvent> to_events(std::span<const results::EventRow> rows);

// What the honeypot side of the assessment saw (for the aggregator's metrics).
struct HoneypotFigures {
  std::size_t sessions = 0;
  std::size_t wallets = 0;  // sessions linked into wallets by shared script hashes
};

// Items that apply, by item name; `figures`, when given, receives the honeypot's counts.
std::vector<RiskItem> assess(std::span<const results::EventRow> events,
                             const NetworkInputs& network, HoneypotFigures* figures = nullptr);

// Replaces the privacy_risk table.
void save_privacy_risk(results::Database& db, const std::vector<RiskItem>& items);

}  // namespace eo::aggregator::privacy_risk
