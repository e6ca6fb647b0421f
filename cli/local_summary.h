// The summary `observatory local` leaves next to the results database: report.json and
// report.md, read from the aggregator's analysis tables (servers, fingerprints, rate_limits,
// concentration_summary) for the servers one campaign probed. The full report (differential
// treatment, operators, honeypot suspicion) is the aggregator's, once it has one; this is the
// short answer a person running one command wants to read.
#pragma once

#include <string>

namespace eo::cli {

struct SummaryFiles {
  std::string json;
  std::string markdown;
  std::size_t servers = 0;    // servers the campaign probed
  std::size_t reachable = 0;  // of those, answered in at least one round
};

// Reads `db_path` (after an analysis pass) and writes OUT_DIR/report.json and report.md.
// `campaign_id` selects the observations and servers; `header` is printed at the top of the
// markdown (how the run went). Throws std::runtime_error naming the file it cannot read or write.
SummaryFiles write_summary(const std::string& db_path, const std::string& out_dir,
                           const std::string& campaign_id, const std::string& header);

}  // namespace eo::cli
