// Differential treatment: does a server treat one of our vantages differently from the others of
// the same round, repeatedly? Per target and dimension (reachability, normalized content, error
// behaviour, rate-limit threshold, latency excess over the vantage's own baseline) each vantage's
// rounds are judged "differs" or "alike"; per (target, dimension, vantage) Fisher's exact test
// compares the vantage's rounds with the other vantages' in the same rounds, and
// Benjamini-Hochberg corrects across every test of the run (so across servers). Benign
// confounders are ruled out first and named: failures every vantage saw, a Tor exit that fails
// for other servers too, our own vantages sharing a subnet. Pure: rows in, tests out.
#pragma once

#include "aggregator/results/rows.h"
#include "aggregator/results/sqlite.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace eo::aggregator::differential {

inline constexpr const char* kReachability = "reachability";
inline constexpr const char* kContent = "content";
inline constexpr const char* kError = "error";
inline constexpr const char* kRateLimit = "rate_limit";
inline constexpr const char* kLatency = "latency";

inline constexpr const char* kFinding = "finding";
inline constexpr const char* kConfounded = "confounded";  // significant, explained by a confounder
inline constexpr const char* kNotSignificant = "not_significant";

struct Options {
  double alpha = 0.05;           // false-discovery rate: a finding needs q <= alpha
  std::uint32_t min_rounds = 2;  // ... and the vantage differing in at least this many rounds
  std::uint32_t min_judged = 3;  // content, errors: vantages needed to name a round's majority
  double ramp_factor = 0.5;      // throttled below this share of the others' median threshold
  double latency_factor = 3.0;   // first byte slower than this many times the vantage's baseline
  std::int64_t latency_min_excess_us = 200'000;  // ... and by at least this much
};

struct Test {
  std::string target_id;
  std::string dimension;
  std::string vantage_id;
  // Rounds (campaign, round) of this vantage that differed / were alike, and the same for the
  // other vantages' rounds (vantage x round) in those rounds.
  std::uint64_t vantage_differs = 0;
  std::uint64_t vantage_alike = 0;
  std::uint64_t rest_differs = 0;
  std::uint64_t rest_alike = 0;
  std::uint64_t rounds_everywhere = 0;  // rounds left out: every vantage differed (not ours)
  double p = 1;
  double q = 1;
  std::string direction;  // "worse": differs more often than the rest; "better": less often
  std::string status = kNotSignificant;
  std::vector<std::string> confounders;  // named when they apply, e.g. "shared tor exit ..."
  // Observation ids behind the differing units: the vantage's ("worse") or the others'
  // ("better": the vantage alone is served).
  std::vector<std::string> evidence;

  bool operator==(const Test&) const = default;
};

// One test per (target, dimension, vantage) whose table is not degenerate (some round differed
// and some was alike: only those can say anything); sorted by target, dimension, vantage.
std::vector<Test> analyze(std::span<const results::ObservationRow> rows,
                          const Options& options = {});

// Replaces the differential table.
void save_differential(results::Database& db, const std::vector<Test>& tests);

}  // namespace eo::aggregator::differential
