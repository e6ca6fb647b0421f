// One analysis pass over the observations and honeypot events of the analysis window: inventory,
// fingerprints, rate limits, differential treatment, operator clusters and the centralization
// figures (operator clusters among them), then the findings of every analysis, honeypot
// suspicion and the privacy risk summary, each written to its tables. The tables are a pure
// function of the window's rows (and the reference, suspicion config and geo data), so two passes
// over the same rows write the same bytes. The server histories (aggregator/history) are the
// exception: each pass adds what was ingested since the previous one, whatever the window.
// Publishing the findings is the caller's (aggregator_app.cpp).
#pragma once

#include "aggregator/findings/findings.h"
#include "aggregator/inventory/inventory.h"
#include "aggregator/reference/reference.h"
#include "aggregator/results/results_db.h"
#include "aggregator/suspicion/config.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace eo::aggregator::app {

// How far back a pass reads, from the newest observation (not the wall clock, so that a pass is a
// function of the rows): 7 days hold 168 hourly rounds, enough repetitions for the differential
// tests and a week's cycle; what lies further back is the history rollups' (aggregator/history).
// Zero reads the whole history.
inline constexpr std::chrono::hours kDefaultWindow{7 * 24};

struct AnalysisSummary {
  std::int64_t window_start_us = 0;  // the oldest start time read; 0 with no observation
  std::uint64_t observations = 0;    // in the window
  std::uint64_t servers = 0;
  std::uint64_t targets_fingerprinted = 0;
  std::uint64_t modified = 0;  // targets whose claim their behaviour contradicts
  std::uint64_t rate_limits = 0;
  std::uint64_t differential_findings = 0;  // tests with status "finding"
  std::uint64_t operator_clusters = 0;      // clusters of two or more servers
  std::uint64_t suspicious = 0;             // servers with a honeypot_suspicion finding
  std::uint64_t privacy_risks = 0;          // privacy_risk items
  std::uint64_t honeypot_sessions = 0;      // honeypot sessions in the results
  std::uint64_t honeypot_wallets = 0;       // wallets those sessions link into (common/privacy)
  std::vector<std::pair<std::string, double>> suspicion;  // (server, score), highest first
  std::vector<findings::IdentifiedFinding> findings;      // as saved: ids, in table order
  std::map<std::string, std::uint64_t> findings_by_kind;
};

AnalysisSummary analyze(results::ResultsDb& db, const reference::Reference& reference,
                        const inventory::GeoLookup& geo,
                        const suspicion::Config& suspicion = suspicion::builtin_config(),
                        std::chrono::hours window = kDefaultWindow);

}  // namespace eo::aggregator::app
