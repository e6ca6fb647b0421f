// Honeypot suspicion: an explainable score per server from weighted indicators (certificate reuse
// across unrelated hosts, identical signatures across IPs, modified responses, differential
// treatment, no resource limits where the claimed software has them, improbable uptime, Sybil
// peer lists, suspicious metadata correlation, and findings of kinds the config weighs). The
// score is the sum of weight x value; every indicator that contributes says why and names its
// evidence. Pure: the other analyses' results in, scores out.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "aggregator/findings/finding.h"
#include "aggregator/fingerprint/infer.h"
#include "aggregator/inventory/inventory.h"
#include "aggregator/operators/operators.h"
#include "aggregator/results/rows.h"
#include "aggregator/results/sqlite.h"
#include "aggregator/suspicion/config.h"

namespace eo::aggregator::suspicion {

struct Indicator {
  std::string name;
  double weight = 0;
  double value = 0;  // 0..1
  std::string explanation;
  std::vector<std::string> evidence;  // observation (or event) ids

  bool operator==(const Indicator&) const = default;
};

struct Suspicion {
  std::string server;
  double score = 0;
  std::string level = "none";
  std::vector<Indicator> indicators;  // the contributing ones, in the config's order

  bool operator==(const Suspicion&) const = default;
};

struct Inputs {
  std::span<const results::ObservationRow> rows;
  const std::vector<inventory::Server>& servers;
  const std::vector<fingerprint::Verdict>& verdicts;
  const operators::Clustering& clustering;
  const std::vector<findings::Finding>& findings;  // of the other analyses, any kind
};

// One per inventory server, by name.
std::vector<Suspicion> score(const Inputs& inputs, const Config& config);

// A honeypot_suspicion finding per server at or above the threshold: score, the indicators in
// details ("indicators": [{name, weight, value, explanation, evidence}]), their evidence joined.
std::vector<findings::Finding> to_findings(const std::vector<Suspicion>& scores,
                                           const Config& config);

// The indicators as the suspicion table and findings' details store them.
nlohmann::json indicators_json(const std::vector<Indicator>& indicators);

// Replaces the suspicion table.
void save_suspicion(results::Database& db, const std::vector<Suspicion>& scores);

}  // namespace eo::aggregator::suspicion
