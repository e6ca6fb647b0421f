// Findings as stored and published: a stable id per finding, one deterministic order, the
// `findings` table and the eo.v1.Finding message. The id is a hash of what the finding is about
// (kind, server, target, vantage, dimension), not of what it says, so a finding keeps its id
// when its evidence grows and a changed finding is recognisable as the same one.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "aggregator/findings/finding.h"
#include "aggregator/results/sqlite.h"
#include "eo/v1/finding.pb.h"

namespace eo::aggregator::findings {

struct IdentifiedFinding {
  std::string finding_id;
  Finding finding;

  bool operator==(const IdentifiedFinding&) const = default;
};

// "f-" + the first 16 bytes (hex) of SHA-256 over kind, server, target, vantage and dimension.
std::string finding_id(const Finding& finding);

// Sorted by kind, server, target, vantage, dimension (then by content, so the order never
// depends on the producers'), each with its id; findings about the same thing (a producer that
// says two things about one key) get "-2", "-3", ... in that order.
std::vector<IdentifiedFinding> identify(std::vector<Finding> findings);

// Hex SHA-256 of everything the finding says (not of when it was said): equal hash, nothing new.
std::string content_sha256(const IdentifiedFinding& finding);

// The message on findings.v1; the indicators of a honeypot_suspicion finding are its details'
// "indicators". created_unix_us is the caller's (the time of publication).
v1::Finding to_proto(const IdentifiedFinding& finding, std::int64_t created_unix_us);

// Replaces the findings table.
void save_findings(results::Database& db, const std::vector<IdentifiedFinding>& findings);

// The findings table, in id order (for tests and the report).
std::vector<IdentifiedFinding> load_findings(results::Database& db);

}  // namespace eo::aggregator::findings
