// The summary `observatory local` leaves next to the results database: summary.json and
// report.md, read from the aggregator's analysis tables (servers, fingerprints, rate_limits,
// concentration_summary) for the servers one campaign probed: the short answer a person running
// one command reads at the terminal. The full report (report.html, report.json, csv/: every
// table, differential treatment, operators, honeypot suspicion) is aggregator/report's.
#pragma once

#include <string>

namespace eo::cli {

struct SummaryFiles {
  std::string json;
  std::string markdown;
  std::size_t servers = 0;    // servers the campaign probed
  std::size_t reachable = 0;  // of those, answered in at least one round
};

// Reads `db_path` (after an analysis pass) and writes OUT_DIR/summary.json and report.md.
// `campaign_id` selects the observations and servers; `header` is printed at the top of the
// markdown (how the run went). Throws std::runtime_error naming the file it cannot read or write.
SummaryFiles write_summary(const std::string& db_path, const std::string& out_dir,
                           const std::string& campaign_id, const std::string& header);

}  // namespace eo::cli
