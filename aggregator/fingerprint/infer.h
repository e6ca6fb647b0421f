// Infers the implementation a server really runs from its behaviour facts, compares it with what
// its server.version claims, and flags a claim that the behaviour contradicts as a modified
// implementation, naming the contradicting cases and what it ruled out (versions, options).
// Pure: rows and a reference in, verdicts out; one verdict per target.
#pragma once

#include "aggregator/fingerprint/cases.h"
#include "aggregator/fingerprint/facts.h"
#include "aggregator/reference/reference.h"
#include "aggregator/results/rows.h"
#include "aggregator/results/sqlite.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace eo::aggregator::fingerprint {

struct Score {
  std::string implementation;
  std::uint32_t matched = 0;       // cases that match its defaults, on behaviour alone
  std::uint32_t contradicted = 0;  // cases that no version or option of it explains

  bool operator==(const Score&) const = default;
};

struct Verdict {
  std::string target_id;
  std::string claimed_implementation;  // whose claim pattern the server.version matched; "" none
  std::string claimed_version;
  std::string claimed_text;                // the claim as sent
  std::string implementation = "unknown";  // best score with enough evidence, else "unknown"
  std::string version_range;               // where the behaviour (and a consistent claim) places it
  bool modified = false;  // at least min_contradictions against the claimed implementation
  // Judged against the claimed implementation, else the inferred one: contradicted cases
  // (contradicted = their count), what was explained instead, and the matched cases.
  std::vector<Contradiction> contradictions;
  std::vector<Explained> explained;
  std::uint32_t matched = 0;
  std::vector<Score> scores;  // every implementation, best first

  bool operator==(const Verdict&) const = default;
};

// Rows of any probes (those without facts are skipped), grouped by target; sorted by target.
std::vector<Verdict> infer(std::span<const results::ObservationRow> rows,
                           const reference::Reference& reference);

// One target's verdict from its facts and claims (oldest first; the latest recognised counts).
Verdict judge(const std::string& target_id, const std::vector<Fact>& facts,
              const std::vector<std::string>& claims, const reference::Reference& reference);

// Replaces the fingerprints table.
void save_fingerprints(results::Database& db, const std::vector<Verdict>& verdicts);

}  // namespace eo::aggregator::fingerprint
