// When each finding held: finding_history has one row per stretch, opened at the pass that first
// had the finding and withdrawn at the first pass that no longer had it; a finding that comes
// back opens a new stretch (or re-opens the one withdrawn at that same time). Only the open
// stretches are read, so a pass costs the number of findings, not their history.
#pragma once

#include "aggregator/history/changes.h"
#include "aggregator/history/history.h"
#include "aggregator/results/sqlite.h"

#include <cstdint>
#include <vector>

namespace eo::aggregator::history {

struct FindingCounts {
  std::uint64_t opened = 0, withdrawn = 0;
};

// `at`: the pass's time and round (the newest observation's).
FindingCounts update_findings(results::Database& db, const std::vector<FindingRef>& findings,
                              const RoundKey& at);

}  // namespace eo::aggregator::history
