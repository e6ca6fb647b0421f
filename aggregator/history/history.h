// Server histories: per server, when it was first and last seen, its availability per hour and
// vantage (uptime over 24 h, 7 d, 30 d and all), when its claimed version, inferred
// implementation, certificate, key, addresses, peers and banner changed, and when each finding
// was opened and withdrawn. Updated incrementally: a pass reads only the observations ingested
// since the previous one (a watermark on the observations' rowid, stored with the tables in one
// transaction), so its cost follows the new data, not the length of the history. Times are the
// data's own (the newest observation's start), never the clock's.
#pragma once

#include "aggregator/results/sqlite.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace eo::aggregator::history {

// A finding of this pass, as much of it as its history needs.
struct FindingRef {
  std::string finding_id;
  std::string kind;
  std::string server;
  std::string target_id;
  std::string vantage_id;
};

struct PassInput {
  // server -> the implementation its behaviour shows, for servers whose verdict is known.
  std::map<std::string, std::string> implementations;
  std::vector<FindingRef> findings;  // every finding of this pass
};

struct UpdateSummary {
  std::uint64_t observations = 0;  // read this pass (ingested since the last one)
  std::uint64_t changes = 0;       // server_changes rows written or revised
  std::uint64_t opened = 0;        // findings opened or re-opened
  std::uint64_t withdrawn = 0;
};

// One pass, in one transaction. A pass with no new observations and the same findings and
// implementations changes nothing.
UpdateSummary update(results::Database& db, const PassInput& input);

}  // namespace eo::aggregator::history
