// One analysis pass over the results database: inventory, fingerprints, rate limits,
// differential treatment, operator clusters and the centralization figures (operator clusters
// among them), each written to its tables. The tables are a pure function of the
// ingested rows (and the reference and geo data), so two passes over the same rows write the same
// bytes.
#pragma once

#include "aggregator/inventory/inventory.h"
#include "aggregator/reference/reference.h"
#include "aggregator/results/results_db.h"

#include <cstdint>

namespace eo::aggregator::app {

struct AnalysisSummary {
  std::uint64_t observations = 0;
  std::uint64_t servers = 0;
  std::uint64_t targets_fingerprinted = 0;
  std::uint64_t modified = 0;  // targets whose claim their behaviour contradicts
  std::uint64_t rate_limits = 0;
  std::uint64_t differential_findings = 0;  // tests with status "finding"
  std::uint64_t operator_clusters = 0;      // clusters of two or more servers
};

AnalysisSummary analyze(results::ResultsDb& db, const reference::Reference& reference,
                        const inventory::GeoLookup& geo);

}  // namespace eo::aggregator::app
